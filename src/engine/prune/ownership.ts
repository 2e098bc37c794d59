/**
 * Which repository manages a workflow, kept on the workflow itself as a
 * tag, so that prune can tell a workflow this repository wrote from one
 * made in the dashboard or by another repository.
 */
import type { RemoteWorkflow, WorkflowDefinition } from '../model.js'

const OWNERSHIP_PREFIX = 'managed-by:'

export function ownershipTag(manager: string): string {
  return `${OWNERSHIP_PREFIX}${manager}`
}

export function isOwnershipTag(tag: string): boolean {
  return tag.startsWith(OWNERSHIP_PREFIX)
}

/** The repository named by a workflow's ownership tag, if it has one. */
export function managerOf(tags: readonly string[]): string | undefined {
  const tag = tags.find(isOwnershipTag)
  return tag?.slice(OWNERSHIP_PREFIX.length)
}

/**
 * The definition as it should be written: its own tags, then this
 * repository's ownership tag. Without a manager the tags Novu holds are
 * kept, so that a run from a laptop does not strip the ownership a
 * pipeline gave.
 */
export function withOwnership(
  definition: WorkflowDefinition,
  manager: string,
  current: RemoteWorkflow | null
): WorkflowDefinition {
  const own = definition.tags.filter((tag) => !isOwnershipTag(tag))
  const markers =
    manager !== ''
      ? [ownershipTag(manager)]
      : (current?.tags.filter(isOwnershipTag) ?? [])
  return { ...definition, tags: [...own, ...markers] }
}
