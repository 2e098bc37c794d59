import { cp, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's example definitions, one per workflow. */
export const EXAMPLES = fileURLToPath(
  new URL('../../examples/workflows', import.meta.url)
)

/** Where a user's repository keeps its definitions, by the action's default. */
export const DEFINITIONS_FOLDER = 'novu/workflows'

/**
 * A scratch checkout holding the examples under `novu/workflows`, as a
 * user's repository would; the caller removes it.
 */
export async function exampleWorkspace(prefix: string): Promise<string> {
  const workspace = await mkdtemp(path.join(tmpdir(), `novu-${prefix}-`))
  await cp(EXAMPLES, path.join(workspace, DEFINITIONS_FOLDER), {
    recursive: true
  })
  return workspace
}
