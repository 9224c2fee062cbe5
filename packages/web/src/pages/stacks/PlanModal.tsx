import { Alert, Button, Group, List, Modal, ScrollArea, Stack, Text } from '@mantine/core';
import type { StackPlanAnswer } from '@capstan/protocol';
import { IconAlertTriangle, IconInfoCircle } from '@tabler/icons-react';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatTime } from '../../components/time.ts';
import { PlanSteps } from './PlanSteps.tsx';
import { planBlockers, planSummary } from './planView.ts';

export interface PlanModalProps {
  answer: StackPlanAnswer | null;
  onConfirm: () => void;
  onCancel: () => void;
  deploying: boolean;
  error: unknown;
  /** The deploy pulls every image again (the one-click update). */
  pullAlways?: boolean;
}

/** The plan before a deploy: the steps, warnings, where it was computed; "Deploy" or "Cancel". */
export function PlanModal({ answer, onConfirm, onCancel, deploying, error, pullAlways = false }: PlanModalProps) {
  const plan = answer?.plan;
  const blockers = plan ? planBlockers(plan) : [];
  return (
    <Modal opened={answer !== null} onClose={onCancel} title="Plan" size="lg" closeButtonProps={{ 'aria-label': 'Close the plan' }}>
      {plan && answer && (
        <Stack gap="sm">
          <Text size="sm">
            {planSummary(plan)}
            {plan.noop ? ': nothing would change.' : '.'}{' '}
            <Text span size="xs" c="dimmed">
              Computed {plan.basis === 'live' ? 'live on the host' : 'from the last snapshot'} at {formatTime(plan.computedAt)}.
            </Text>
          </Text>
          {pullAlways && (
            <Text size="sm" c="blue">
              Every image is pulled again before the deploy; services whose image changed are recreated.
            </Text>
          )}
          {answer.liveUnavailable && (
            <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />} title="Not a live plan">
              {answer.liveUnavailable}
            </Alert>
          )}
          <ScrollArea.Autosize mah="50vh">
            <PlanSteps plan={plan} />
          </ScrollArea.Autosize>
          {blockers.map((b) => (
            <Alert key={b} color="red" variant="light" icon={<IconAlertTriangle size={18} />}>
              {b}
            </Alert>
          ))}
          {answer.warnings.length > 0 && (
            <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Warnings">
              <List size="sm">
                {answer.warnings.map((w, n) => (
                  <List.Item key={n}>
                    {w.line !== null ? `line ${w.line}${w.column !== null ? `, column ${w.column}` : ''}: ` : ''}
                    {w.message}
                  </List.Item>
                ))}
              </List>
            </Alert>
          )}
          <ProblemAlert error={error} title="The deploy was not started" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} disabled={deploying}>
              Cancel
            </Button>
            <Button onClick={onConfirm} loading={deploying} data-autofocus>
              Deploy
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
