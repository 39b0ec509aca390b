// Every GraphQL document the client sends, in one place. Each names its operation
// first (api.js sends that name); fragments follow it.

const USER_FIELDS = `
fragment UserFields on User {
  id name email team role active timezone outOfOffice acceptsLeads version
  createdAt updatedAt roleGrantedAt credentialsIssuedAt
  roleGrantedBy { id name }
  credentialsIssuedBy { id name }
}`;

const USER_ERRORS = 'userErrors { field message code }';

const PAGE_INFO = 'totalCount pageInfo { hasNextPage hasPreviousPage endCursor }';

const TOKEN_FIELDS = `
fragment TokenFields on ApiToken {
  id name prefix scopes createdAt expiresAt lastUsedAt revokedAt
  owner { id name email }
}`;

// ---- sessions and the viewer ------------------------------------------------

export const VIEWER = `query Viewer { viewer { ...UserFields } }${USER_FIELDS}`;

export const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { viewer { ...UserFields } ${USER_ERRORS} }
}${USER_FIELDS}`;

export const LOGOUT = `mutation Logout { logout { ok ${USER_ERRORS} } }`;

export const LOGOUT_EVERYWHERE = `mutation LogoutEverywhere {
  logoutEverywhere { sessionsEnded ${USER_ERRORS} }
}`;

export const SET_PASSWORD = `mutation SetPassword($input: SetPasswordInput!) {
  setPassword(input: $input) { ok ${USER_ERRORS} }
}`;

export const CHANGE_PASSWORD = `mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) { ok ${USER_ERRORS} }
}`;

export const SESSIONS = `query Sessions($first: Int, $after: String) {
  sessions(first: $first, after: $after) {
    ${PAGE_INFO}
    edges { node { id createdAt lastSeenAt expiresAt userAgent clientAddress current } }
  }
}`;

// ---- API tokens -------------------------------------------------------------

export const API_TOKENS = `query ApiTokens($first: Int, $after: String, $filter: ApiTokenFilter) {
  apiTokens(first: $first, after: $after, filter: $filter) {
    ${PAGE_INFO}
    edges { node { ...TokenFields } }
  }
}${TOKEN_FIELDS}`;

export const CREATE_API_TOKEN = `mutation CreateApiToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { apiToken { ...TokenFields } secret ${USER_ERRORS} }
}${TOKEN_FIELDS}`;

export const REVOKE_API_TOKEN = `mutation RevokeApiToken($input: RevokeApiTokenInput!) {
  revokeApiToken(input: $input) { apiToken { ...TokenFields } ${USER_ERRORS} }
}${TOKEN_FIELDS}`;

// ---- users (admin) ----------------------------------------------------------

export const USERS = `query Users(
  $first: Int, $after: String, $filter: UserFilter, $orderBy: UserOrder
) {
  users(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    ${PAGE_INFO}
    edges { node { id name email team role active createdAt } }
  }
}`;

export const USER = `query User($id: ID!) {
  node(id: $id) { ... on User { ...UserFields } }
}${USER_FIELDS}`;

export const CREATE_USER = `mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) { user { ...UserFields } ${USER_ERRORS} }
}${USER_FIELDS}`;

export const UPDATE_USER = `mutation UpdateUser($input: UpdateUserInput!) {
  updateUser(input: $input) { user { ...UserFields } ${USER_ERRORS} }
}${USER_FIELDS}`;

export const DEACTIVATE_USER = `mutation DeactivateUser($input: DeactivateUserInput!) {
  deactivateUser(input: $input) { user { ...UserFields } ${USER_ERRORS} }
}${USER_FIELDS}`;

export const CREATE_SET_PASSWORD_LINK = `mutation CreateSetPasswordLink(
  $input: CreateSetPasswordLinkInput!
) {
  createSetPasswordLink(input: $input) { url emailed expiresAt ${USER_ERRORS} }
}`;

// ---- audit ------------------------------------------------------------------

export const AUDIT_ENTRIES = `query AuditEntries(
  $first: Int, $after: String, $filter: AuditEntryFilter
) {
  auditEntries(first: $first, after: $after, filter: $filter) {
    ${PAGE_INFO}
    edges {
      node {
        id at action outcome credential entityType entityId changes requestId
        actor { id name }
      }
    }
  }
}`;
