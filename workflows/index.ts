// The workflow bundle's entry point: every workflow type the worker hosts.
export { changeRequestWorkflow } from './change-request/change-request.workflow';
