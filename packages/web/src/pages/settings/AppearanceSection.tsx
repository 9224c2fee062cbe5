import { SegmentedControl, Stack, Text } from '@mantine/core';
import { useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { Section } from './Section.tsx';

const SCHEMES: { value: MantineColorScheme; label: string }[] = [
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
  { value: 'auto', label: 'System' },
];

/** Theme choice; stored in this browser (the header toggle changes the same setting). */
export function AppearanceSection() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  return (
    <Section title="Appearance" description="Saved in this browser only.">
      <Stack gap={4}>
        <Text size="sm" fw={500} id="theme-label">
          Theme
        </Text>
        <SegmentedControl
          aria-labelledby="theme-label"
          data={SCHEMES}
          value={colorScheme}
          onChange={(v) => setColorScheme(SCHEMES.find((s) => s.value === v)?.value ?? 'auto')}
          w="fit-content"
        />
      </Stack>
    </Section>
  );
}
