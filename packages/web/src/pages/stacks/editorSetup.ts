// The CodeMirror pieces shared by the compose editor and the version diff. Imported only from
// lazily loaded components, so CodeMirror stays out of the first download.
import { indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import { EditorView, keymap } from '@codemirror/view';

/** Light or dark, following Mantine's computed colour scheme. */
export function themeFor(dark: boolean): Extension {
  return dark ? oneDark : [];
}

/** Editable, or read-only (no changes, no caret trap). */
export function editableFor(readOnly: boolean): Extension {
  return [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)];
}

/** Height bounds and the font of the editor. */
export function sizing(minHeight: number, maxHeight: number): Extension {
  return EditorView.theme({
    '&': { fontSize: '13px', border: '1px solid var(--mantine-color-default-border)', borderRadius: 'var(--mantine-radius-sm)' },
    '&.cm-focused': { outline: '2px solid var(--mantine-primary-color-filled)', outlineOffset: '1px' },
    '.cm-scroller': { fontFamily: 'var(--mantine-font-family-monospace)', minHeight: `${minHeight}px`, maxHeight: `${maxHeight}px`, overflow: 'auto' },
    '.cm-content': { minHeight: `${minHeight}px` },
  });
}

/**
 * YAML, Tab indenting (Esc then Tab leaves the editor, CodeMirror's escape from tab trapping),
 * and an accessible name for the editable area.
 */
export function yamlEditing(label: string): Extension {
  return [yaml(), keymap.of([indentWithTab]), EditorView.contentAttributes.of({ 'aria-label': label }), EditorState.tabSize.of(2)];
}

/** Compartments reconfigured while an editor lives (theme and read-only state). */
export function compartments(): { theme: Compartment; editable: Compartment } {
  return { theme: new Compartment(), editable: new Compartment() };
}
