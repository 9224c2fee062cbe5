// Toasts for actions that have no dialog of their own (enable, unlock, test): the outcome in a
// sentence, the server's detail when it refused.
import { notifications } from '@mantine/notifications';
import { ApiError } from '../api/client.ts';

/** A short green confirmation. */
export function notifyDone(message: string): void {
  notifications.show({ color: 'teal', message });
}

/** A red notice with the server's reason. */
export function notifyFailed(title: string, error: unknown): void {
  const detail = error instanceof ApiError ? error.problem.detail : error instanceof Error ? error.message : 'unknown error';
  notifications.show({ color: 'red', title, message: detail, autoClose: 8000 });
}
