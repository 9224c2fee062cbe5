import type { SnapshotContainer } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { NO_PROJECT, filterContainers, readContainerFilter } from './container-filter.ts';

const c = (name: string, state: string, extra: Partial<SnapshotContainer> = {}): SnapshotContainer => ({
  id: `${name}-id`,
  name: `/${name}`,
  image: 'nginx:1.27',
  imageId: 'sha256:x',
  command: 'nginx',
  createdAt: '2026-01-01T00:00:00Z',
  state,
  status: state,
  health: null,
  labels: {},
  ports: [],
  composeProject: null,
  composeService: null,
  ...extra,
});

const all = [
  c('web', 'running', { composeProject: 'shop', composeService: 'web', health: 'healthy' }),
  c('db', 'running', { composeProject: 'shop', composeService: 'db', health: 'unhealthy', image: 'postgres:17' }),
  c('old', 'exited'),
  c('cron', 'created', { composeProject: 'jobs' }),
];
const names = (list: SnapshotContainer[]) => list.map((x) => x.name);

describe('filterContainers', () => {
  it('keeps all, sorted by project then name', () => {
    expect(names(filterContainers(all, { q: '', project: null, state: 'all' }))).toEqual(['/old', '/cron', '/db', '/web']);
  });

  it('searches names, images and services', () => {
    expect(names(filterContainers(all, { q: 'POSTGRES', project: null, state: 'all' }))).toEqual(['/db']);
    expect(names(filterContainers(all, { q: 'we', project: null, state: 'all' }))).toEqual(['/web']);
  });

  it('filters by project, or by no project', () => {
    expect(names(filterContainers(all, { q: '', project: 'shop', state: 'all' }))).toEqual(['/db', '/web']);
    expect(names(filterContainers(all, { q: '', project: NO_PROJECT, state: 'all' }))).toEqual(['/old']);
  });

  it('filters by state group', () => {
    expect(names(filterContainers(all, { q: '', project: null, state: 'stopped' }))).toEqual(['/old', '/cron']);
    expect(names(filterContainers(all, { q: '', project: null, state: 'unhealthy' }))).toEqual(['/db']);
    expect(names(filterContainers(all, { q: '', project: 'shop', state: 'running' }))).toEqual(['/db', '/web']);
  });
});

describe('readContainerFilter', () => {
  it('reads the query and ignores unknown states', () => {
    expect(readContainerFilter(new URLSearchParams('q=web&project=shop&state=stopped'))).toEqual({ q: 'web', project: 'shop', state: 'stopped' });
    expect(readContainerFilter(new URLSearchParams('state=weird'))).toEqual({ q: '', project: null, state: 'all' });
  });
});
