import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

/** Where generated definitions sit inside a workspace. */
export const WORKFLOW_GLOB = 'novu/workflows/**/*.{json,yaml,yml}'

type Step = {
  stepId: string
  name: string
  type: string
  controlValues: Record<string, unknown>
}

// One step of each kind, so that a run exercises every step type's controls
// and not only the cheap ones.
const STEP_KINDS: ((n: number) => Step)[] = [
  (n) => ({
    stepId: 'inbox',
    name: 'Inbox message',
    type: 'in_app',
    controlValues: {
      subject: `Update ${n}`,
      body: `Something happened to {{payload.item}} (${n}).`,
      primaryAction: { label: 'Open', redirect: { url: `/items/${n}` } }
    }
  }),
  (n) => ({
    stepId: 'mail',
    name: 'Email',
    type: 'email',
    controlValues: {
      subject: `Your update ${n}`,
      body: `<p>Item {{payload.item}} changed (${n}).</p>`
    }
  }),
  () => ({
    stepId: 'wait',
    name: 'Wait a little',
    type: 'delay',
    controlValues: { type: 'regular', amount: 5, unit: 'minutes' }
  }),
  () => ({
    stepId: 'collect',
    name: 'Collect updates',
    type: 'digest',
    controlValues: { amount: 1, unit: 'hours', digestKey: '{{payload.item}}' }
  }),
  (n) => ({
    stepId: 'text',
    name: 'SMS',
    type: 'sms',
    controlValues: { body: `Update ${n}: {{payload.item}}` }
  }),
  (n) => ({
    stepId: 'phone',
    name: 'Push',
    type: 'push',
    controlValues: { subject: `Update ${n}`, body: '{{payload.item}}' }
  }),
  (n) => ({
    stepId: 'channel',
    name: 'Chat',
    type: 'chat',
    controlValues: { body: `*Update ${n}*: {{payload.item}}` }
  }),
  () => ({
    stepId: 'calm',
    name: 'At most one an hour',
    type: 'throttle',
    controlValues: { type: 'fixed', amount: 1, unit: 'hours', threshold: 1 }
  }),
  (n) => ({
    stepId: 'record',
    name: 'Record in the CRM',
    type: 'http_request',
    controlValues: {
      method: 'POST',
      url: `https://crm.example.com/items/${n}`,
      body: '{"item": "{{payload.item}}"}'
    }
  })
]

/** The id of the n-th generated workflow. */
export function workflowId(n: number): string {
  return `bench-${String(n).padStart(4, '0')}`
}

/** The n-th generated definition: two to four steps of mixed types. */
export function generatedWorkflow(n: number, revision = 1): object {
  const count = 2 + (n % 3)
  const steps = Array.from({ length: count }, (_, index) => {
    const kind = STEP_KINDS[(n + index * 4) % STEP_KINDS.length]!
    return kind(n)
  })
  return {
    workflowId: workflowId(n),
    name: `Generated workflow ${n}`,
    description: `Revision ${revision}`,
    tags: ['bench', `group-${n % 7}`],
    payloadSchema: {
      type: 'object',
      properties: { item: { type: 'string' } },
      required: ['item']
    },
    steps
  }
}

/**
 * Writes `count` definition files under `workspace`; `revisions` names
 * workflows whose description differs from revision 1.
 */
export async function writeWorkflows(
  workspace: string,
  count: number,
  revisions: ReadonlyMap<number, number> = new Map()
): Promise<void> {
  const folder = path.join(workspace, 'novu/workflows')
  await mkdir(folder, { recursive: true })
  await Promise.all(
    Array.from({ length: count }, (_, n) =>
      writeFile(
        path.join(folder, `${workflowId(n)}.json`),
        JSON.stringify(generatedWorkflow(n, revisions.get(n) ?? 1), null, 2)
      )
    )
  )
}
