import { Accordion, Badge } from '@mantine/core';
import type { StackFile, StackHealthSettings } from '@capstan/protocol';
import { FilesEditor } from './FilesEditor.tsx';
import { HealthSettingsFields } from './HealthSettingsFields.tsx';
import { VariablesEditor } from './VariablesEditor.tsx';
import type { VariableRow } from './variables.ts';

export interface StackContentFormProps {
  rows: VariableRow[];
  onRows: (rows: VariableRow[]) => void;
  files: StackFile[];
  onFiles: (files: StackFile[]) => void;
  health?: StackHealthSettings;
  onHealth?: (health: StackHealthSettings) => void;
}

/** Variables, extra files and (for a new stack) the health gate, as folding sections under the editor. */
export function StackContentForm({ rows, onRows, files, onFiles, health, onHealth }: StackContentFormProps) {
  return (
    <Accordion multiple defaultValue={['variables']} variant="separated">
      <Accordion.Item value="variables">
        <Accordion.Control>
          Variables <Badge variant="light" size="sm" ml={4}>{rows.length}</Badge>
        </Accordion.Control>
        <Accordion.Panel>
          <VariablesEditor rows={rows} onChange={onRows} />
        </Accordion.Panel>
      </Accordion.Item>
      <Accordion.Item value="files">
        <Accordion.Control>
          Extra files <Badge variant="light" size="sm" ml={4}>{files.length}</Badge>
        </Accordion.Control>
        <Accordion.Panel>
          <FilesEditor files={files} onChange={onFiles} />
        </Accordion.Panel>
      </Accordion.Item>
      {health && onHealth && (
        <Accordion.Item value="health">
          <Accordion.Control>Health gate</Accordion.Control>
          <Accordion.Panel>
            <HealthSettingsFields value={health} onChange={onHealth} />
          </Accordion.Panel>
        </Accordion.Item>
      )}
    </Accordion>
  );
}
