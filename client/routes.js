// The screens, by hash path. A new screen is one entry here and one module in
// views/ exporting `mount(root, app, {params, query})`.
//   access: 'signed-in' (default), 'signed-out' (sign-in page) or 'anyone'
//   allow:  the role rule (logic.can) for screens not every user gets
//   nav:    the link text in the header; group: the header group it sits in
//   section: the nav entry to mark current for a sub-page

import { can } from './logic.js';

export const HOME = '/account';

/** Where a signed-in person lands: leadership reads the dashboard first
 *  (admins, whose work is users and tokens, their account). */
export function homeFor(viewer) {
  return viewer?.team === 'LEADERSHIP' && viewer.role !== 'ADMIN' ? '/dashboard' : HOME;
}

export const ROUTES = [
  {
    path: '/sign-in',
    title: 'Sign in',
    access: 'signed-out',
    load: () => import('./views/people/sign-in.js'),
  },
  {
    path: '/set-password',
    title: 'Set your password',
    access: 'anyone',
    load: () => import('./views/people/set-password.js'),
  },
  {
    path: '/dashboard',
    title: 'Dashboard',
    nav: 'Dashboard',
    load: () => import('./views/metrics/dashboard.js'),
  },
  {
    path: '/account',
    title: 'My account',
    nav: 'My account',
    load: () => import('./views/people/account.js'),
  },
  {
    path: '/audit',
    title: 'Audit log',
    nav: 'Audit log',
    allow: (viewer) => can(viewer, 'readAudit'),
    load: () => import('./views/events/audit.js'),
  },
  {
    path: '/admin/users',
    title: 'Users',
    nav: 'Users',
    group: 'Admin',
    allow: (viewer) => can(viewer, 'manageUsers'),
    load: () => import('./views/people/admin-users.js'),
  },
  {
    path: '/admin/users/:id',
    title: 'User',
    section: '/admin/users',
    allow: (viewer) => can(viewer, 'manageUsers'),
    load: () => import('./views/people/admin-user.js'),
  },
  {
    path: '/admin/tokens',
    title: 'API tokens',
    nav: 'API tokens',
    group: 'Admin',
    allow: (viewer) => can(viewer, 'listEveryonesTokens'),
    load: () => import('./views/people/admin-tokens.js'),
  },
];
