import { it } from 'vitest';
import { createHarness } from './helpers/harness.ts';

it('probe', async () => {
  const h = await createHarness('postgres');
  const token = await h.setupAdmin();
  const show = async (label: string, c: Parameters<typeof h.call>[0]) => {
    const t = Date.now();
    try {
      const r = await h.call({ token, ...c });
      console.log(label, r.status, r.headers['content-type'], JSON.stringify(r.body).slice(0, 300), `${Date.now() - t}ms`);
    } catch (e) { console.log(label, 'THREW', e); }
  };
  await show('nul search', { method: 'GET', url: '/api/users?search=%00' });
  await show('nul env search', { method: 'GET', url: '/api/environments?search=%00' });
  await show('nul audit', { method: 'GET', url: '/api/audit?username=%00&action=a%00' });
  await show('nul login', { method: 'POST', url: '/api/auth/login', token: undefined, body: { username: 'a\u0000', password: 'x' } });
  await show('nul group desc', { method: 'POST', url: '/api/environments/groups', body: { name: 'g', description: 'a\u0000b' } });
  await show('nul pw', { method: 'PUT', url: '/api/users/1/password', body: { currentPassword: 'a\u0000b', newPassword: 'aaaaaaaaaaaaaaaaaaaaaaaa' } });
  await show('lone surrogate', { method: 'POST', url: '/api/teams', payload: '{"name":"\\ud800"}' });
  await show('big offset', { method: 'GET', url: '/api/users?offset=10000000&limit=1000' });
  await show('audit from', { method: 'GET', url: '/api/audit?from=9999-12-31T23:59:59-23:59' });
  await show('cookie', { method: 'GET', url: '/api/users', token: undefined, headers: { cookie: 'capstan_session=%E0%A4%A' } });
  await h.close();
});
