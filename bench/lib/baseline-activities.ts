// The baseline workflows' activities: nothing to do, so a baseline run measures the workflow
// machinery alone. `benchSend` stands for the lead's send and says which workflow reached it.
export function baselineActivities(onSend: (workflowId: string) => void = () => undefined) {
  return {
    async benchNoop(): Promise<void> {},
    async benchSend(workflowId: string): Promise<void> {
      onSend(workflowId);
    },
  };
}

export type BaselineActivities = ReturnType<typeof baselineActivities>;
