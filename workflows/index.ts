// The workflow bundle's entry: every workflow type the workers register, and nothing else.
export { leadWorkflow, leadWorkflowV2 } from './lead/workflow.js';
export { mailboxWatcherWorkflow } from './mailbox-watcher/workflow.js';
export { handoverWorkflow } from './handover/workflow.js';
export { inboxWorkflow } from './inbox/workflow.js';
export { controlWorkflow } from './control/workflow.js';
export { campaignWorkflow } from './campaign/workflow.js';
export { retentionWorkflow } from './retention/workflow.js';
