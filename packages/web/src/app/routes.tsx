// Every screen and its URL. Pages load lazily: the first paint ships only the shell and the page
// asked for; the editor, terminal and charts come with the pages that use them.
import { lazy, type ComponentType } from 'react';
import { createBrowserRouter } from 'react-router';
import { Gate } from './Gate.tsx';
import { RouteError } from './RouteError.tsx';

const page = (load: () => Promise<{ default: ComponentType }>) => {
  const Component = lazy(load);
  return <Component />;
};

/** The app's router. */
export function createRouter() {
  return createBrowserRouter([
    { path: '/setup', element: page(() => import('../pages/auth/SetupPage.tsx')), errorElement: <RouteError /> },
    { path: '/login', element: page(() => import('../pages/auth/LoginPage.tsx')), errorElement: <RouteError /> },
    {
      path: '/',
      element: <Gate />,
      errorElement: <RouteError />,
      children: [
        { index: true, element: page(() => import('../pages/home/HomePage.tsx')) },
        { path: 'environments/new', element: page(() => import('../pages/environments/AddEnvironmentPage.tsx')) },
        { path: 'environments/:id/*', element: page(() => import('../pages/environments/EnvironmentPage.tsx')) },
        { path: 'environments/:id/containers/:containerId/*', element: page(() => import('../pages/containers/ContainerPage.tsx')) },
        { path: 'stacks', element: page(() => import('../pages/stacks/StacksPage.tsx')) },
        { path: 'stacks/new', element: page(() => import('../pages/stacks/NewStackPage.tsx')) },
        { path: 'stacks/:id/*', element: page(() => import('../pages/stacks/StackPage.tsx')) },
        { path: 'templates', element: page(() => import('../pages/templates/TemplatesPage.tsx')) },
        { path: 'registries', element: page(() => import('../pages/registries/RegistriesPage.tsx')) },
        { path: 'users', element: page(() => import('../pages/users/UsersPage.tsx')) },
        { path: 'teams', element: page(() => import('../pages/teams/TeamsPage.tsx')) },
        { path: 'access', element: page(() => import('../pages/access/AccessPage.tsx')) },
        { path: 'api-keys', element: page(() => import('../pages/api-keys/ApiKeysPage.tsx')) },
        { path: 'audit', element: page(() => import('../pages/audit/AuditPage.tsx')) },
        { path: 'settings', element: page(() => import('../pages/settings/SettingsPage.tsx')) },
        { path: '*', element: page(() => import('./NotFoundPage.tsx')) },
      ],
    },
  ]);
}
