import { ActionIcon, Avatar, Badge, Button, Card, Group, Menu, Stack, Text } from '@mantine/core';
import type { TemplateSummary } from '@capstan/protocol';
import { IconDots, IconPencil, IconTrash } from '@tabler/icons-react';

export interface TemplateCardProps {
  template: TemplateSummary;
  canManage: boolean;
  /** May create a stack from it (stacks.deploy somewhere). */
  canUse: boolean;
  onUse: () => void;
  onEdit: () => void;
  onDelete: () => void;
}

/** A template in the grid: logo, title, description, categories; "Use template"; edit/delete for managers of custom ones. */
export function TemplateCard({ template: t, canManage, canUse, onUse, onEdit, onDelete }: TemplateCardProps) {
  return (
    <Card withBorder padding="md" data-template={t.id}>
      <Stack gap="xs" h="100%">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="sm" wrap="nowrap">
            <Avatar src={t.logo} alt="" radius="sm" color="blue">
              {t.title.slice(0, 2).toUpperCase()}
            </Avatar>
            <Stack gap={0}>
              <Text fw={600}>{t.title}</Text>
              <Text size="xs" c="dimmed">
                {t.source === 'custom' ? 'custom' : 'catalogue'} · {t.variableCount} variable{t.variableCount === 1 ? '' : 's'}
              </Text>
            </Stack>
          </Group>
          {canManage && t.source === 'custom' && (
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${t.title}`}>
                  <IconDots size={16} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item leftSection={<IconPencil size={14} />} onClick={onEdit}>
                  Edit
                </Menu.Item>
                <Menu.Item leftSection={<IconTrash size={14} />} color="red" onClick={onDelete}>
                  Delete
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
        <Text size="sm" lineClamp={3} style={{ flex: 1 }}>
          {t.description || 'No description.'}
        </Text>
        {t.categories.length > 0 && (
          <Group gap={4}>
            {t.categories.map((c) => (
              <Badge key={c} size="xs" variant="light" color="gray" tt="none">
                {c}
              </Badge>
            ))}
          </Group>
        )}
        {canUse && (
          <Button variant="light" onClick={onUse} aria-label={`Use template ${t.title}`}>
            Use template
          </Button>
        )}
      </Stack>
    </Card>
  );
}
