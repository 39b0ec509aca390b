// GraphQL documents of notifications.

const USER_ERRORS = 'userErrors { field message code }';

/** The bell: only the unread count (one request per poll). */
export const UNREAD_COUNT = `query UnreadCount {
  notifications(first: 1, unreadOnly: true) { unreadCount }
}`;

export const NOTIFICATIONS = `query Notifications($first: Int, $after: String, $unreadOnly: Boolean!) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    totalCount unreadCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { id kind title body link createdAt readAt read } }
  }
}`;

export const MARK_NOTIFICATIONS_READ = `mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) { marked unreadCount ${USER_ERRORS} }
}`;
