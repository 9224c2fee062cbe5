import { Skeleton } from '@mantine/core';
import { lazy, Suspense } from 'react';
import type { ComposeEditorProps } from './ComposeEditor.tsx';

const Editor = lazy(() => import('./ComposeEditor.tsx'));

/** The compose editor, loaded on first use (CodeMirror is not part of the first download). */
export function LazyComposeEditor(props: ComposeEditorProps) {
  return (
    <Suspense fallback={<Skeleton height={props.minHeight ?? 320} aria-label="Loading the editor" />}>
      <Editor {...props} />
    </Suspense>
  );
}
