// The compose editor (lazy: CodeMirror loads with it). YAML with line numbers, the colour scheme
// of the app, and inline diagnostics from the compose reader run here in the browser (300 ms after
// typing stops) plus the server's issues of the last failed plan, create or deploy for this text.
import { parseCompose, type StackFile } from '@capstan/protocol';
import { forceLinting, linter, type Diagnostic } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { Stack, Text, useComputedColorScheme } from '@mantine/core';
import { basicSetup } from 'codemirror';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ComposeProblems } from './ComposeProblems.tsx';
import { fromComposeIssues, fromProblem, issueToDiagnostic, MAIN_FILE, mergeIssues, offsetOf, type EditorIssue, type ServerIssues } from './composeDiagnostics.ts';
import { compartments, editableFor, sizing, themeFor, yamlEditing } from './editorSetup.ts';

export interface ComposeEditorProps {
  value: string;
  onChange?: (text: string) => void;
  readOnly?: boolean;
  /** Accessible name of the editable area. */
  label?: string;
  /** Interpolation values for the check in the browser. */
  variables: Readonly<Record<string, string>>;
  files?: readonly StackFile[];
  /** The compose project name (the stack name, lower-cased). */
  projectName: string;
  server?: ServerIssues | null;
  minHeight?: number;
}

interface Inputs {
  variables: Readonly<Record<string, string>>;
  files: readonly StackFile[];
  projectName: string;
  server: ServerIssues | null;
}

/** The issues of `text`: the reader's, and the server's when they are about this very text. */
function check(text: string, inputs: Inputs): EditorIssue[] {
  const files: Record<string, string> = { [MAIN_FILE]: text };
  for (const f of inputs.files) files[f.name] = f.content;
  const name = inputs.projectName.toLowerCase();
  const projectName = /^[a-z0-9][a-z0-9_-]*$/.test(name) ? name : 'stack';
  const local = text.trim() === '' ? [] : fromComposeIssues(parseCompose({ files, mainFile: MAIN_FILE, projectName, variables: inputs.variables }).issues);
  const server = inputs.server && inputs.server.text === text ? fromProblem(inputs.server.problem, local) : [];
  return mergeIssues(local, server);
}

/** A CodeMirror compose editor with inline diagnostics and a problems list (wrapper data-testid="compose-editor"). */
export default function ComposeEditor({ value, onChange, readOnly = false, label = 'Compose file', variables, files = [], projectName, server = null, minHeight = 320 }: ComposeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const parts = useRef(compartments());
  const inputs = useRef<Inputs>({ variables, files, projectName, server });
  const changed = useRef(onChange);
  const [issues, setIssues] = useState<EditorIssue[]>([]);
  const dark = useComputedColorScheme('light') === 'dark';
  inputs.current = { variables, files, projectName, server };
  changed.current = onChange;

  useEffect(() => {
    const lint = linter(
      (v): Diagnostic[] => {
        const text = v.state.doc.toString();
        const found = check(text, inputs.current);
        setIssues(found);
        return found.flatMap((i): Diagnostic[] => {
          const d = issueToDiagnostic(text, i);
          return d ? [d] : [];
        });
      },
      { delay: 300 },
    );
    const editor = new EditorView({
      parent: host.current ?? undefined,
      doc: value,
      extensions: [
        basicSetup,
        yamlEditing(label),
        sizing(minHeight, 640),
        lint,
        parts.current.theme.of(themeFor(dark)),
        parts.current.editable.of(editableFor(readOnly)),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) changed.current?.(u.state.doc.toString());
        }),
      ],
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // Made once: later prop changes are applied by the effects below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: [parts.current.theme.reconfigure(themeFor(dark)), parts.current.editable.reconfigure(editableFor(readOnly))] });
  }, [dark, readOnly]);

  useEffect(() => {
    if (view.current) forceLinting(view.current);
  }, [variables, files, projectName, server]);

  const select = useCallback((issue: EditorIssue) => {
    const v = view.current;
    if (!v || issue.line === null) return;
    const at = offsetOf(v.state.doc.toString(), issue.line, issue.column ?? 1);
    v.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: 'center' }) });
    v.focus();
  }, []);

  return (
    <Stack gap="xs">
      <div data-testid="compose-editor" ref={host} />
      {!readOnly && (
        <Text size="xs" c="dimmed">
          Tab indents; press Esc then Tab to move focus out of the editor.
        </Text>
      )}
      <ComposeProblems issues={issues} onSelect={select} />
    </Stack>
  );
}
