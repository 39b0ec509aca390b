// GraphQL documents of one's own preferences and saved filters.

const USER_ERRORS = 'userErrors { field message code }';

export const UPDATE_PREFERENCES = `mutation UpdatePreferences($input: UpdatePreferencesInput!) {
  updatePreferences(input: $input) {
    user { id name email team role active timezone outOfOffice acceptsLeads version
      createdAt updatedAt roleGrantedAt credentialsIssuedAt
      roleGrantedBy { id name } credentialsIssuedBy { id name } }
    ${USER_ERRORS}
  }
}`;

export const SAVED_FILTERS = `query SavedFilters($screen: String!) {
  savedFilters(screen: $screen) { id name filter createdAt }
}`;

export const SAVE_FILTER = `mutation SaveFilter($input: SaveFilterInput!) {
  saveFilter(input: $input) { savedFilter { id name filter createdAt } ${USER_ERRORS} }
}`;

export const DELETE_SAVED_FILTER = `mutation DeleteSavedFilter($input: DeleteSavedFilterInput!) {
  deleteSavedFilter(input: $input) { deletedId ${USER_ERRORS} }
}`;
