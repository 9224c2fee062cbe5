import { Button, Menu } from '@mantine/core';
import type { AuditRecord } from '@capstan/protocol';
import { IconDownload } from '@tabler/icons-react';
import { downloadText } from './download.ts';
import { auditToCsv, auditToJson, exportFileName } from './exportAudit.ts';

/** "Export" of the records on screen (what is loaded, with the current filters) as JSON or CSV. */
export function ExportMenu({ records }: { records: readonly AuditRecord[] }) {
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button variant="default" leftSection={<IconDownload size={16} />} disabled={records.length === 0}>
          Export
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{records.length} loaded records</Menu.Label>
        <Menu.Item onClick={() => downloadText(exportFileName('csv'), auditToCsv(records), 'text/csv;charset=utf-8')}>CSV</Menu.Item>
        <Menu.Item onClick={() => downloadText(exportFileName('json'), auditToJson(records), 'application/json')}>JSON</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
