import { Group, List, Text, ThemeIcon, UnstyledButton } from '@mantine/core';
import { IconAlertCircle, IconAlertTriangle } from '@tabler/icons-react';
import { issueLabel, MAIN_FILE, type EditorIssue } from './composeDiagnostics.ts';

/** The compose file's problems under the editor; choosing one in the main file moves the cursor there. */
export function ComposeProblems({ issues, onSelect }: { issues: readonly EditorIssue[]; onSelect: (issue: EditorIssue) => void }) {
  const errors = issues.filter((i) => i.severity === 'error').length;
  return (
    <div>
      <Text size="sm" fw={500} c={errors > 0 ? 'red' : undefined} aria-live="polite">
        {issues.length === 0 ? 'No problems found' : `${errors} error${errors === 1 ? '' : 's'}, ${issues.length - errors} warning${issues.length - errors === 1 ? '' : 's'}`}
      </Text>
      <List data-testid="compose-problems" listStyleType="none" spacing={2} size="sm" aria-label="Compose file problems">
        {issues.map((issue, n) => (
          <List.Item key={`${n}:${issueLabel(issue)}`}>
            <UnstyledButton
              onClick={() => onSelect(issue)}
              disabled={issue.file !== MAIN_FILE || issue.line === null}
              aria-label={`${issue.severity === 'error' ? 'Error' : 'Warning'}: ${issueLabel(issue)}`}
            >
              <Group gap={6} wrap="nowrap" align="flex-start">
                <ThemeIcon size={18} variant="transparent" color={issue.severity === 'error' ? 'red' : 'yellow'}>
                  {issue.severity === 'error' ? <IconAlertCircle size={16} /> : <IconAlertTriangle size={16} />}
                </ThemeIcon>
                <Text size="sm" ff="monospace">
                  {issueLabel(issue)}
                </Text>
              </Group>
            </UnstyledButton>
          </List.Item>
        ))}
      </List>
    </div>
  );
}
