export type FaultKind =
  // Answer with this status, body and headers (a proxy's 502 page, a 429
  // with Retry-After, a 503).
  | { status: number; body?: string | object; headers?: Record<string, string> }
  // Never answer; the socket stays open until the client gives up.
  | 'hang'
  // Destroy the socket without an answer.
  | 'reset'
  // Do the work, then answer 2xx with a step type and a status value newer
  // than the SDK knows, so its response validation fails after the write.
  | 'unparseable'
  // A create whose workflowId is taken succeeds with a suffixed copy.
  | 'suffix-duplicate'

export interface Fault {
  method?: string
  path?: RegExp
  times?: number
  // 'respond' (default): the fault replaces the request, nothing is done.
  // 'write': the request is carried out, then the answer is the fault, so
  // the client cannot tell that the write happened.
  after?: 'respond' | 'write'
  kind: FaultKind
}

interface ArmedFault {
  fault: Fault
  left: number
}

export class FaultList {
  private armed: ArmedFault[] = []

  add(fault: Fault): void {
    this.armed.push({ fault, left: fault.times ?? 1 })
  }

  clear(): void {
    this.armed = []
  }

  take(method: string, path: string): Fault | undefined {
    const found = this.armed.find(({ fault }) => {
      if (fault.method && fault.method.toUpperCase() !== method) return false
      if (fault.path && !fault.path.test(path)) return false
      // Only a create can come back suffixed.
      if (fault.kind === 'suffix-duplicate') {
        return method === 'POST' && /^\/v2\/workflows\/?(\?|$)/.test(path)
      }
      return true
    })
    if (!found) return undefined
    found.left -= 1
    if (found.left <= 0) this.armed = this.armed.filter((a) => a !== found)
    return found.fault
  }
}

// Rewrites a success body the way a newer server would answer, with values
// the SDK's closed enums reject.
export function makeUnparseable(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body
  const copy = structuredClone(body) as { data?: Record<string, unknown> }
  const data = copy.data
  if (!data || typeof data !== 'object') return copy

  const workflows = Array.isArray(data.workflows) ? data.workflows : [data]
  for (const workflow of workflows as Record<string, unknown>[]) {
    workflow.status = 'PENDING'
    const steps = workflow.steps
    if (Array.isArray(steps) && steps.length > 0) {
      ;(steps[0] as Record<string, unknown>).type = 'ai_agent'
    } else if (Array.isArray(steps)) {
      steps.push({ _id: '0'.repeat(24), stepId: 'agent', type: 'ai_agent' })
    }
  }
  return copy
}
