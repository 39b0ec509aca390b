// The meetings' GraphQL documents. Each names its operation first.

const ERRORS = 'userErrors { field message code }';

const ITEM = `
fragment MeetingActionItem on ActionItem {
  id description dueDate status overdue doneAt version owner { id name }
}`;

const SUMMARY = `
fragment MeetingSummary on Meeting {
  id kind title scheduledFor status completedAt version
  reviewedPeriod { from to timezone }
  attendees { id name }
  actionItems { id status overdue }
}`;

const FULL = `
fragment MeetingFull on Meeting {
  ...MeetingSummary
  notes decisions agendaTopics createdBy { id name } completedBy { id name }
  agenda {
    topic title summary
    figures { label value count ratio leads handoffs contentRequests }
    records { id type label detail }
  }
  actionItems { ...MeetingActionItem }
  snapshot
}`;

export const MEETINGS = `query Meetings {
  upcoming: meetings(first: 50, filter: {statuses: [SCHEDULED]}, orderBy: SCHEDULED_FOR_ASC) {
    totalCount edges { node { ...MeetingSummary } }
  }
  past: meetings(first: 50, filter: {statuses: [COMPLETED]}, orderBy: SCHEDULED_FOR_DESC) {
    totalCount edges { node { ...MeetingSummary } }
  }
}${SUMMARY}`;

export const MEETING = `query Meeting($id: ID!) {
  node(id: $id) { ... on Meeting { ...MeetingFull } }
}${FULL}${SUMMARY}${ITEM}`;

export const MEETING_PEOPLE = `query MeetingPeople {
  users(first: 100, filter: {active: true, team: [MARKETING, SALES, LEADERSHIP]}) {
    edges { node { id name team role } }
  }
}`;

export const SCHEDULE_MEETING = `mutation ScheduleMeeting($input: ScheduleMeetingInput!) {
  scheduleMeeting(input: $input) { meeting { id } ${ERRORS} }
}`;

export const UPDATE_MEETING = `mutation UpdateMeeting($input: UpdateMeetingInput!) {
  updateMeeting(input: $input) { meeting { ...MeetingFull } ${ERRORS} }
}${FULL}${SUMMARY}${ITEM}`;

export const COMPLETE_MEETING = `mutation CompleteMeeting($input: CompleteMeetingInput!) {
  completeMeeting(input: $input) { meeting { ...MeetingFull } ${ERRORS} }
}${FULL}${SUMMARY}${ITEM}`;

export const ADD_ACTION_ITEM = `mutation AddActionItem($input: AddActionItemInput!) {
  addActionItem(input: $input) { actionItem { ...MeetingActionItem } ${ERRORS} }
}${ITEM}`;

export const UPDATE_ACTION_ITEM = `mutation UpdateActionItem($input: UpdateActionItemInput!) {
  updateActionItem(input: $input) { actionItem { ...MeetingActionItem } ${ERRORS} }
}${ITEM}`;

export const MY_ACTION_ITEMS = `query MyActionItems {
  myActionItems(first: 50, filter: {statuses: [OPEN]}) {
    totalCount
    edges { node { ...MeetingActionItem meeting { id title scheduledFor } } }
  }
}${ITEM}`;
