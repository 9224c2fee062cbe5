import { Skeleton } from '@mantine/core';
import { lazy, Suspense } from 'react';
import type { DiffViewProps } from './DiffView.tsx';

const Diff = lazy(() => import('./DiffView.tsx'));

/** The version diff, loaded on first use. */
export function LazyDiffView(props: DiffViewProps) {
  return (
    <Suspense fallback={<Skeleton height={240} aria-label="Loading the diff" />}>
      <Diff {...props} />
    </Suspense>
  );
}
