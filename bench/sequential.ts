import { generatedWorkflow, workflowId } from './workflows.js'

export interface SequentialOptions {
  apiUrl: string
  secretKey: string
  /** Target environment ids, in promotion order. */
  targetIds: string[]
  workflows: number
}

/**
 * The loop Novu's documentation suggests for keeping workflows in code:
 * for each workflow an update, a create when the update says it does not
 * exist, then a sync to each target; one request at a time, with plain
 * fetch. It compares nothing, so it writes every workflow on every run.
 * A 429 is waited out as its `Retry-After` says, so the loop finishes
 * under any rate limit.
 */
export async function runSequential(options: SequentialOptions): Promise<void> {
  const send = async (
    method: string,
    path: string,
    body: unknown
  ): Promise<number> => {
    for (;;) {
      const response = await fetch(`${options.apiUrl}${path}`, {
        method,
        headers: {
          Authorization: `ApiKey ${options.secretKey}`,
          'Content-Type': 'application/json'
        },
        body: JSON.stringify(body)
      })
      await response.arrayBuffer()
      if (response.status !== 429) return response.status
      const after = Number(response.headers.get('retry-after') ?? '1')
      await new Promise((resolve) => setTimeout(resolve, after * 1000))
    }
  }
  const expect = (status: number, what: string): void => {
    if (status >= 300) throw new Error(`${what} answered HTTP ${status}`)
  }

  for (let n = 0; n < options.workflows; n += 1) {
    const id = workflowId(n)
    const body = { ...generatedWorkflow(n), active: true }
    const path = `/v2/workflows/${encodeURIComponent(id)}`

    const updated = await send('PUT', path, body)
    if (updated === 404) {
      expect(await send('POST', '/v2/workflows', body), `create "${id}"`)
    } else {
      expect(updated, `update "${id}"`)
    }
    for (const targetEnvironmentId of options.targetIds) {
      expect(
        await send('PUT', `${path}/sync`, { targetEnvironmentId }),
        `sync "${id}"`
      )
    }
  }
}
