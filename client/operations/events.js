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

// ---- webhooks (admins) -------------------------------------------------------

const WEBHOOK_FIELDS = `
fragment WebhookFields on Webhook {
  id url events active createdAt updatedAt secretRotatedAt previousSecretValidUntil
}`;

const DELIVERY_FIELDS = `
fragment DeliveryFields on WebhookDelivery {
  id eventId kind sequence status attempts responseCode responseBody error durationMs
  createdAt lastAttemptAt nextAttemptAt deliveredAt redeliveryOf webhook { id url }
}`;

export const WEBHOOKS = `query Webhooks($first: Int, $after: String) {
  webhooks(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { ...WebhookFields } }
  }
}${WEBHOOK_FIELDS}`;

export const WEBHOOK_DELIVERIES = `query WebhookDeliveries($first: Int, $after: String, $filter: WebhookDeliveryFilter) {
  webhookDeliveries(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { node { ...DeliveryFields } }
  }
}${DELIVERY_FIELDS}`;

export const CREATE_WEBHOOK = `mutation CreateWebhook($input: CreateWebhookInput!) {
  createWebhook(input: $input) { webhook { ...WebhookFields } secret ${USER_ERRORS} }
}${WEBHOOK_FIELDS}`;

export const UPDATE_WEBHOOK = `mutation UpdateWebhook($input: UpdateWebhookInput!) {
  updateWebhook(input: $input) { webhook { ...WebhookFields } ${USER_ERRORS} }
}${WEBHOOK_FIELDS}`;

export const DELETE_WEBHOOK = `mutation DeleteWebhook($input: DeleteWebhookInput!) {
  deleteWebhook(input: $input) { deletedId ${USER_ERRORS} }
}`;

export const ROTATE_WEBHOOK_SECRET = `mutation RotateWebhookSecret($input: RotateWebhookSecretInput!) {
  rotateWebhookSecret(input: $input) { webhook { ...WebhookFields } secret ${USER_ERRORS} }
}${WEBHOOK_FIELDS}`;

export const REDELIVER_WEBHOOK_DELIVERY = `mutation RedeliverWebhookDelivery($input: RedeliverWebhookDeliveryInput!) {
  redeliverWebhookDelivery(input: $input) { delivery { ...DeliveryFields } ${USER_ERRORS} }
}${DELIVERY_FIELDS}`;
