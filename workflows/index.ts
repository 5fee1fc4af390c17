// The workflow bundle's entry point: every workflow type the worker hosts.
export { changeRequestWorkflow } from './change-request/change-request.workflow';
export { complaintWorkflow } from './complaint/complaint.workflow';
export { approvalRequestWorkflow } from './approval-request/approval-request.workflow';
export { crisisWorkflow } from './crisis/crisis.workflow';
export { pipWorkflow } from './pip/pip.workflow';
