// A read-only diff of two compose files (lazy: CodeMirror's merge view loads with it), side by
// side or unified, in the app's colour scheme.
import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { MergeView, unifiedMergeView } from '@codemirror/merge';
import type { Extension } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { useComputedColorScheme } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { editableFor, sizing, themeFor } from './editorSetup.ts';

export interface DiffViewProps {
  original: string;
  modified: string;
  mode: 'split' | 'unified';
  /** Names the two sides for assistive technology. */
  originalLabel: string;
  modifiedLabel: string;
}

function readOnlyYaml(dark: boolean, label: string): Extension {
  return [lineNumbers(), yaml(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }), themeFor(dark), editableFor(true), sizing(120, 560), EditorView.contentAttributes.of({ 'aria-label': label })];
}

/** Shows `original` → `modified` (data-testid="version-diff"). */
export default function DiffView({ original, modified, mode, originalLabel, modifiedLabel }: DiffViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const dark = useComputedColorScheme('light') === 'dark';
  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const collapse = { margin: 3, minSize: 6 };
    if (mode === 'split') {
      const view = new MergeView({ parent, a: { doc: original, extensions: readOnlyYaml(dark, originalLabel) }, b: { doc: modified, extensions: readOnlyYaml(dark, modifiedLabel) }, collapseUnchanged: collapse, gutter: true });
      return () => view.destroy();
    }
    const view = new EditorView({ parent, doc: modified, extensions: [readOnlyYaml(dark, `${originalLabel} → ${modifiedLabel}`), unifiedMergeView({ original, mergeControls: false, collapseUnchanged: collapse })] });
    return () => view.destroy();
  }, [original, modified, mode, dark, originalLabel, modifiedLabel]);
  return <div data-testid="version-diff" ref={host} />;
}
