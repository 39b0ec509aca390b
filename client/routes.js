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
    path: '/leads',
    title: 'Leads',
    nav: 'Leads',
    load: () => import('./views/leads/list.js'),
  },
  {
    path: '/leads/import',
    title: 'Import leads',
    section: '/leads',
    allow: (viewer) => can(viewer, 'importLeads'),
    load: () => import('./views/leads/import.js'),
  },
  {
    path: '/leads/duplicates',
    title: 'Duplicate leads',
    section: '/leads',
    load: () => import('./views/leads/duplicates.js'),
  },
  {
    path: '/leads/:id/merge',
    title: 'Merge leads',
    section: '/leads',
    allow: (viewer) => can(viewer, 'mergeLeads'),
    load: () => import('./views/leads/duplicates.js'),
  },
  {
    path: '/leads/:id/erase',
    title: 'Erase personal data',
    section: '/leads',
    allow: (viewer) => can(viewer, 'eraseLeads'),
    load: () => import('./views/leads/erase.js'),
  },
  {
    path: '/leads/:id',
    title: 'Lead',
    section: '/leads',
    load: () => import('./views/leads/lead.js'),
  },
  {
    path: '/queue',
    title: 'My queue',
    nav: 'My queue',
    allow: (viewer) => can(viewer, 'workQueue'),
    load: () => import('./views/waterfall/queue.js'),
  },
  {
    path: '/handoffs',
    title: 'Handoffs',
    section: '/dashboard',
    load: () => import('./views/waterfall/list.js'),
  },
  {
    path: '/handoffs/:id',
    title: 'Handoff',
    section: '/queue',
    load: () => import('./views/waterfall/handoff.js'),
  },
  {
    path: '/notifications',
    title: 'Notifications',
    load: () => import('./views/events/notifications.js'),
  },
  {
    path: '/agreements',
    title: 'Agreements',
    nav: 'Agreements',
    load: () => import('./views/agreements/list.js'),
  },
  {
    path: '/agreements/planner',
    title: 'Goal planner',
    section: '/agreements',
    load: () => import('./views/metrics/planner.js'),
  },
  {
    path: '/agreements/model',
    title: 'Qualification model report and simulator',
    section: '/agreements',
    load: () => import('./views/metrics/model.js'),
  },
  {
    path: '/agreements/new/:kind',
    title: 'New agreement',
    section: '/agreements',
    load: () => import('./views/agreements/new.js'),
  },
  {
    path: '/agreements/:id',
    title: 'Agreement',
    section: '/agreements',
    load: () => import('./views/agreements/page.js'),
  },
  {
    path: '/content',
    title: 'Content requests',
    nav: 'Content requests',
    load: () => import('./views/content/board.js'),
  },
  {
    path: '/content/assets',
    title: 'Asset library',
    section: '/content',
    load: () => import('./views/content/assets.js'),
  },
  {
    path: '/content/:id',
    title: 'Content request',
    section: '/content',
    load: () => import('./views/content/board.js'),
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
  {
    path: '/admin/webhooks',
    title: 'Webhooks',
    nav: 'Webhooks',
    group: 'Admin',
    allow: (viewer) => can(viewer, 'manageWebhooks'),
    load: () => import('./views/events/webhooks.js'),
  },
];
