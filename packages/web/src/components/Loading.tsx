import { Center, Loader } from '@mantine/core';

/** A centred spinner for a page or panel still loading. */
export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Center py="xl" aria-busy="true" aria-label={label}>
      <Loader size="sm" />
    </Center>
  );
}
