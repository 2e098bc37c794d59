/** Runs whose request counts the README and the benchmark show. */
export type Situation = 'first deploy' | 'nothing changed' | 'one changed'

/** One page of `GET /v2/workflows` holds up to this many workflows. */
export const LIST_PAGE_SIZE = 100

/**
 * The fewest requests Novu's API allows for a deploy of `workflows`
 * definitions to `targets` environments, when Development holds
 * `held` workflows before the run.
 *
 * - Which environment the key belongs to, and the target ids: one read
 *   each, the second only when there are targets.
 * - Which workflows exist: the list, one page per hundred; cheaper than a
 *   failed read per new workflow.
 * - A new workflow costs its create. An existing one costs a read, since
 *   the list does not carry steps and controls, plus an update when the
 *   read shows that it differs.
 * - Each target costs one environment diff, which tells which workflows
 *   differ, plus one sync per workflow that does.
 */
export function minimumRequests(
  situation: Situation,
  workflows: number,
  targets: number,
  held = situation === 'first deploy' ? 0 : workflows
): number {
  const setup =
    1 + (targets > 0 ? 1 : 0) + Math.max(1, Math.ceil(held / LIST_PAGE_SIZE))
  switch (situation) {
    case 'first deploy':
      return setup + workflows + targets * (1 + workflows)
    case 'nothing changed':
      return setup + workflows + targets
    case 'one changed':
      return setup + workflows + 1 + targets * 2
  }
}

/**
 * Requests of the sequential recipe: for each workflow an update, a
 * create after the update's 404, then a sync per target.
 */
export function sequentialRequests(
  situation: 'first deploy' | 'nothing changed',
  workflows: number,
  targets: number
): number {
  const perWorkflow = (situation === 'first deploy' ? 2 : 1) + targets
  return workflows * perWorkflow
}
