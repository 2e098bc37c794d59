import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { Novu } from '@novu/api'

import { startStandIn, type StandIn } from '../stand-in/server.js'

let novu: StandIn

beforeEach(async () => {
  novu = await startStandIn()
})

afterEach(async () => {
  await novu.close()
})

type Json = Record<string, any>

async function call(
  method: string,
  path: string,
  body?: unknown,
  environment = 'Development'
): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(`${novu.url}${path}`, {
    method,
    headers: {
      Authorization: `ApiKey ${novu.secretKey(environment)}`,
      ...(body !== undefined && { 'Content-Type': 'application/json' })
    },
    ...(body !== undefined && { body: JSON.stringify(body) })
  })
  const text = await response.text()
  let parsed: Json = {}
  try {
    parsed = text ? JSON.parse(text) : {}
  } catch {
    parsed = { text }
  }
  return { status: response.status, body: parsed, headers: response.headers }
}

function welcome(overrides: Json = {}): Json {
  return {
    workflowId: 'welcome',
    name: 'Welcome',
    description: 'Sent after sign-up',
    tags: ['onboarding'],
    active: true,
    validatePayload: true,
    payloadSchema: { type: 'object', properties: { name: { type: 'string' } } },
    isTranslationEnabled: false,
    severity: 'low',
    preferences: {
      workflow: {
        all: { enabled: true, readOnly: true },
        channels: { email: { enabled: true } }
      }
    },
    steps: [
      {
        stepId: 'inbox',
        name: 'Inbox',
        type: 'in_app',
        controlValues: { body: 'Hi {{payload.name}}', customKey: { a: 1 } }
      },
      {
        stepId: 'mail',
        name: 'Mail',
        type: 'email',
        controlValues: {
          subject: 'Welcome',
          body: '<p>Hi</p>',
          editorType: 'html'
        }
      }
    ],
    ...overrides
  }
}

describe('workflows', () => {
  it('creates a workflow and stores what was sent', async () => {
    const created = await call('POST', '/v2/workflows', welcome())
    expect(created.status).toBe(201)
    const data = created.body.data
    expect(data._id).toMatch(/^[0-9a-f]{24}$/)
    expect(data).toMatchObject({
      workflowId: 'welcome',
      origin: 'novu-cloud',
      status: 'ACTIVE',
      active: true,
      severity: 'low',
      preferences: { user: null, default: { all: { readOnly: true } } }
    })
    expect(data.steps[0]).toMatchObject({
      stepId: 'inbox',
      type: 'in_app',
      workflowId: 'welcome',
      workflowDatabaseId: data._id,
      controls: {
        values: { body: 'Hi {{payload.name}}', customKey: { a: 1 } }
      },
      controlValues: { customKey: { a: 1 } }
    })

    const stored = novu.workflow('Development', 'welcome')
    expect(stored?.steps[1]?.controlValues).toEqual({
      subject: 'Welcome',
      body: '<p>Hi</p>',
      editorType: 'html'
    })
    expect(stored?.lastBody).toEqual(welcome())
  })

  it('derives a missing stepId from the step name', async () => {
    const created = await call(
      'POST',
      '/v2/workflows',
      welcome({
        steps: [
          { name: 'Send SMS Now', type: 'sms', controlValues: { body: 'x' } }
        ]
      })
    )
    expect(created.body.data.steps[0].stepId).toBe('send-sms-now')
  })

  it('refuses a taken workflowId, bad step types and too many tags', async () => {
    await call('POST', '/v2/workflows', welcome())

    const taken = await call('POST', '/v2/workflows', welcome())
    expect(taken.status).toBe(409)

    const badType = await call(
      'POST',
      '/v2/workflows',
      welcome({
        workflowId: 'other',
        steps: [{ name: 'x', type: 'fax' }]
      })
    )
    expect(badType.status).toBe(422)
    expect(badType.body.errors['steps.0.type']).toMatchObject({
      messages: [expect.any(String)],
      value: 'fax'
    })

    const tags = Array.from({ length: 17 }, (_, i) => `t${i}`)
    const tooMany = await call(
      'POST',
      '/v2/workflows',
      welcome({
        workflowId: 'tagged',
        tags
      })
    )
    expect(tooMany.status).toBe(400)
  })

  it('enforces the workflow limit', async () => {
    await novu.close()
    novu = await startStandIn({ workflowLimit: 1 })
    await call('POST', '/v2/workflows', welcome())
    const second = await call(
      'POST',
      '/v2/workflows',
      welcome({ workflowId: 'b' })
    )
    expect(second.status).toBe(400)
    expect(second.body.message).toBe('Workflow limit exceeded')
  })

  it('replaces fully: known _id kept, others new, left-out steps dropped', async () => {
    const { body } = await call('POST', '/v2/workflows', welcome())
    const [inbox, mail] = body.data.steps

    const updated = await call('PUT', '/v2/workflows/welcome', {
      name: 'Welcome',
      origin: 'novu-cloud',
      steps: [
        {
          _id: inbox._id,
          stepId: 'inbox',
          name: 'Inbox',
          type: 'in_app',
          controlValues: { body: 'changed' }
        },
        {
          stepId: 'mail',
          name: 'Mail',
          type: 'email',
          controlValues: { subject: 'S', body: 'B' }
        }
      ]
    })
    expect(updated.status).toBe(200)
    const steps = updated.body.data.steps
    expect(steps[0]._id).toBe(inbox._id)
    expect(steps[1]._id).not.toBe(mail._id)
    expect(steps[1].stepId).toBe('mail')

    // Omitted fields are reset, not kept: this is a full replace.
    expect(updated.body.data.active).toBe(false)
    expect(updated.body.data.status).toBe('INACTIVE')
    expect(updated.body.data.tags).toEqual([])
    expect(updated.body.data.preferences.default.all).toEqual({
      enabled: true,
      readOnly: false
    })
    expect(updated.body.data.preferences.user).toBeNull()

    const dropped = await call('PUT', '/v2/workflows/welcome', {
      name: 'Welcome',
      active: true,
      origin: 'novu-cloud',
      steps: [
        {
          _id: inbox._id,
          name: 'Inbox',
          type: 'in_app',
          controlValues: { body: 'x' }
        }
      ]
    })
    expect(dropped.body.data.steps).toHaveLength(1)
    expect(dropped.body.data.steps[0].stepId).toBe('inbox')
  })

  it('marks content problems on steps and the workflow', async () => {
    const created = await call(
      'POST',
      '/v2/workflows',
      welcome({
        steps: [
          {
            stepId: 'mail',
            name: 'Mail',
            type: 'email',
            controlValues: { body: 'b' }
          },
          { stepId: 'wait', name: 'Wait', type: 'delay', controlValues: {} }
        ]
      })
    )
    expect(created.status).toBe(201)
    expect(created.body.data.status).toBe('ERROR')
    expect(created.body.data.steps[0].issues.controls.subject[0]).toMatchObject(
      { issueType: 'MISSING_VALUE' }
    )
    expect(Object.keys(created.body.data.steps[1].issues.controls)).toEqual([
      'amount',
      'unit'
    ])
  })

  it('lists with paging and search', async () => {
    for (const id of ['a-one', 'b-two', 'c-three']) {
      await call('POST', '/v2/workflows', welcome({ workflowId: id, name: id }))
    }
    const page = await call('GET', '/v2/workflows?limit=2&offset=0')
    expect(page.body.data.totalCount).toBe(3)
    expect(page.body.data.workflows).toHaveLength(2)
    expect(page.body.data.workflows[0]).toMatchObject({
      stepTypeOverviews: ['in_app', 'email']
    })
    expect(page.body.data.workflows[0].steps[0]).not.toHaveProperty('controls')

    const found = await call('GET', '/v2/workflows?query=two')
    expect(found.body.data.workflows.map((w: Json) => w.workflowId)).toEqual([
      'b-two'
    ])

    expect((await call('GET', '/v2/workflows?limit=101')).status).toBe(422)
  })

  it('deletes with 204', async () => {
    await call('POST', '/v2/workflows', welcome())
    expect((await call('DELETE', '/v2/workflows/welcome')).status).toBe(204)
    expect(novu.workflow('Development', 'welcome')).toBeUndefined()
  })
})

describe('errors', () => {
  it('tells a missing workflow from a missing route', async () => {
    const missing = await call('GET', '/v2/workflows/nope')
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({
      statusCode: 404,
      message: 'Workflow cannot be found',
      workflowId: 'nope',
      path: '/v2/workflows/nope'
    })

    const route = await call('GET', '/v1/v2/workflows/x')
    expect(route.status).toBe(404)
    expect(route.body).toMatchObject({
      statusCode: 404,
      message: 'Cannot GET /v1/v2/workflows/x',
      error: 'Not Found'
    })
  })

  it('answers 401 to an unknown or missing key', async () => {
    const unknown = await fetch(`${novu.url}/v2/workflows`, {
      headers: { Authorization: 'ApiKey not-a-key' }
    })
    expect(unknown.status).toBe(401)
    expect(await unknown.json()).toMatchObject({
      statusCode: 401,
      message: 'API Key not found',
      error: 'Unauthorized'
    })

    const none = await fetch(`${novu.url}/v2/workflows`)
    expect(none.status).toBe(401)
  })

  it('rate-limits per key with RateLimit headers and Retry-After', async () => {
    await novu.close()
    novu = await startStandIn({ rateLimitPerSecond: 3 })

    const first = await call('GET', '/v1/environments')
    expect(first.headers.get('ratelimit-limit')).toBe('3')
    expect(first.headers.get('ratelimit-remaining')).toBe('2')
    expect(first.headers.get('ratelimit-policy')).toMatch(/^3;w=1/)
    expect(first.headers.get('ratelimit-reset')).toMatch(/^\d+$/)

    await call('GET', '/v1/environments')
    await call('GET', '/v1/environments')
    const limited = await call('GET', '/v1/environments')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(limited.body.statusCode).toBe(429)

    // Another environment's key has its own bucket.
    expect(
      (await call('GET', '/v1/environments', undefined, 'Staging')).status
    ).toBe(200)
  })
})

describe('environments', () => {
  it("lists environments and the key's own one", async () => {
    const list = await call('GET', '/v1/environments')
    const [dev, staging, prod] = list.body.data
    expect(list.body.data).toHaveLength(3)
    expect(dev).toMatchObject({ name: 'Development', type: 'dev', apiKeys: [] })
    expect(dev).not.toHaveProperty('_parentId')
    expect(staging._parentId).toBe(dev._id)
    expect(prod).toMatchObject({
      _id: novu.environmentId('Production'),
      _organizationId: dev._organizationId,
      type: 'prod'
    })

    const me = await call('GET', '/v1/environments/me', undefined, 'Staging')
    expect(me.body.data._id).toBe(novu.environmentId('Staging'))
  })

  it('reads another environment with ?environmentId=', async () => {
    await call('POST', '/v2/workflows', welcome(), 'Staging')
    const read = await call(
      'GET',
      `/v2/workflows/welcome?environmentId=${novu.environmentId('Staging')}`
    )
    expect(read.status).toBe(200)
    expect(read.body.data.workflowId).toBe('welcome')
  })
})

describe('sync', () => {
  it('copies into the target and matches steps by stepId', async () => {
    await call('POST', '/v2/workflows', welcome())
    const target = novu.environmentId('Staging')

    const first = await call('PUT', '/v2/workflows/welcome/sync', {
      targetEnvironmentId: target
    })
    expect(first.status).toBe(200)
    const targetInbox = first.body.data.steps[0]._id
    const devWorkflow = novu.workflow('Development', 'welcome')!
    expect(first.body.data._id).not.toBe(devWorkflow._id)
    expect(targetInbox).not.toBe(devWorkflow.steps[0]!._id)

    // Drop the email step in Development, then promote again.
    await call('PUT', '/v2/workflows/welcome', {
      ...welcome(),
      origin: 'novu-cloud',
      steps: [
        {
          ...welcome().steps[0],
          _id: devWorkflow.steps[0]!._id,
          controlValues: { body: 'v2' }
        }
      ]
    })
    const second = await call('PUT', '/v2/workflows/welcome/sync', {
      targetEnvironmentId: target
    })
    expect(second.body.data.steps).toHaveLength(1)
    expect(second.body.data.steps[0]._id).toBe(targetInbox)
    expect(
      novu.workflow('Staging', 'welcome')?.steps[0]?.controlValues
    ).toEqual({ body: 'v2' })
  })

  it('refuses external workflows, the same environment and unknown targets', async () => {
    novu.seed('Development', {
      workflowId: 'bridge',
      origin: 'external',
      steps: [{ stepId: 's', type: 'in_app', controlValues: { body: 'x' } }]
    })
    const external = await call('PUT', '/v2/workflows/bridge/sync', {
      targetEnvironmentId: novu.environmentId('Staging')
    })
    expect(external.status).toBe(400)
    expect(external.body.origin).toBe('external')

    await call('POST', '/v2/workflows', welcome())
    const same = await call('PUT', '/v2/workflows/welcome/sync', {
      targetEnvironmentId: novu.environmentId('Development')
    })
    expect(same.status).toBe(400)

    const gone = novu.environmentId('Production')
    novu.removeEnvironment('Production')
    const unknown = await call('PUT', '/v2/workflows/welcome/sync', {
      targetEnvironmentId: gone
    })
    expect(unknown.status).toBe(404)
  })
})

describe('diff', () => {
  it('reports added, modified and deleted workflows as Novu sends them', async () => {
    await call('POST', '/v2/workflows', welcome())
    await call(
      'POST',
      '/v2/workflows',
      welcome({ workflowId: 'fresh', name: 'Fresh' })
    )
    await call('PUT', '/v2/workflows/welcome/sync', {
      targetEnvironmentId: novu.environmentId('Staging')
    })
    novu.seed('Staging', { workflowId: 'old', steps: [] })

    // Change one step's content in Development only.
    const dev = novu.workflow('Development', 'welcome')!
    await call('PUT', '/v2/workflows/welcome', {
      ...welcome(),
      origin: 'novu-cloud',
      steps: welcome().steps.map((step: Json, i: number) => ({
        ...step,
        _id: dev.steps[i]!._id,
        ...(i === 1 && { controlValues: { subject: 'New', body: 'B' } })
      }))
    })

    const target = novu.environmentId('Staging')
    const diff = await call('POST', `/v2/environments/${target}/diff`, {})
    expect(diff.status).toBe(200)
    const data = diff.body.data
    expect(data.sourceEnvironmentId).toBe(novu.environmentId('Development'))
    expect(data.targetEnvironmentId).toBe(target)

    const byId = (id: string) =>
      data.resources.find(
        (r: Json) => (r.sourceResource ?? r.targetResource).id === id
      )
    expect(byId('fresh')).toMatchObject({
      resourceType: 'workflow',
      targetResource: null,
      changes: [{ action: 'added', resourceType: 'workflow' }],
      summary: { added: 1, modified: 0, deleted: 0, unchanged: 0 }
    })
    expect(byId('old').changes[0].action).toBe('deleted')
    expect(byId('welcome').changes).toEqual([
      expect.objectContaining({
        resourceType: 'step',
        action: 'modified',
        stepType: 'email',
        sourceResource: expect.objectContaining({ id: 'mail' }),
        previousIndex: 1,
        newIndex: 1
      })
    ])
    expect(data.summary).toEqual({
      totalEntities: 3,
      totalChanges: 3,
      hasChanges: true
    })
  })

  it('leaves out workflows that are equal', async () => {
    await call('POST', '/v2/workflows', welcome())
    const target = novu.environmentId('Production')
    await call('PUT', '/v2/workflows/welcome/sync', {
      targetEnvironmentId: target
    })
    const diff = await call('POST', `/v2/environments/${target}/diff`)
    expect(diff.body.data.resources).toEqual([])
    expect(diff.body.data.summary.hasChanges).toBe(false)
  })
})

describe('faults', () => {
  it('answers with a given status and body', async () => {
    novu.addFault({
      path: /^\/v2\/workflows/,
      kind: {
        status: 502,
        body: '<html>Bad gateway</html>'
      }
    })
    const response = await fetch(`${novu.url}/v2/workflows`, {
      headers: { Authorization: `ApiKey ${novu.secretKey('Development')}` }
    })
    expect(response.status).toBe(502)
    expect(response.headers.get('content-type')).toMatch(/text\/html/)
    expect((await call('GET', '/v2/workflows')).status).toBe(200)
  })

  it('resets the connection, before or after the write', async () => {
    novu.addFault({ method: 'POST', after: 'write', kind: 'reset' })
    await expect(call('POST', '/v2/workflows', welcome())).rejects.toThrow()
    expect(novu.workflow('Development', 'welcome')).toBeDefined()

    novu.addFault({ method: 'DELETE', kind: 'reset' })
    await expect(call('DELETE', '/v2/workflows/welcome')).rejects.toThrow()
    expect(novu.workflow('Development', 'welcome')).toBeDefined()
  })

  it('fails the answer of a write that happened', async () => {
    novu.addFault({ method: 'POST', after: 'write', kind: { status: 500 } })
    const answer = await call('POST', '/v2/workflows', welcome())
    expect(answer.status).toBe(500)
    expect(novu.workflow('Development', 'welcome')).toBeDefined()
  })

  it('hangs until the client gives up', async () => {
    novu.addFault({ kind: 'hang' })
    await expect(
      fetch(`${novu.url}/v1/environments`, {
        headers: { Authorization: `ApiKey ${novu.secretKey('Development')}` },
        signal: AbortSignal.timeout(200)
      })
    ).rejects.toThrow()
    expect(novu.requests[0]?.status).toBe(0)
  })

  it('saves a duplicate create under a suffixed id', async () => {
    await call('POST', '/v2/workflows', welcome())
    novu.addFault({ kind: 'suffix-duplicate' })
    const again = await call('POST', '/v2/workflows', welcome())
    expect(again.status).toBe(201)
    expect(again.body.data.workflowId).toMatch(/^welcome-[0-9a-f]{4}$/)
    expect(novu.workflows('Development')).toHaveLength(2)
  })

  it('writes, then answers with values the SDK does not know', async () => {
    novu.addFault({ method: 'POST', kind: 'unparseable' })
    const sdk = new Novu({
      serverURL: novu.url,
      secretKey: novu.secretKey('Development'),
      retryConfig: { strategy: 'none' }
    })
    await expect(sdk.workflows.create(welcome() as never)).rejects.toThrow(
      'Response validation failed'
    )
    expect(novu.workflow('Development', 'welcome')).toBeDefined()
  })
})

describe('requests and the SDK', () => {
  it('records requests and parses through @novu/api', async () => {
    const sdk = new Novu({
      serverURL: novu.url,
      secretKey: novu.secretKey('Development'),
      retryConfig: { strategy: 'none' }
    })
    const created = await sdk.workflows.create(welcome() as never)
    expect(created.result.workflowId).toBe('welcome')
    const read = await sdk.workflows.get('welcome')
    expect(read.result.steps).toHaveLength(2)
    const list = await sdk.workflows.list({ limit: 10 })
    expect(list.result.totalCount).toBe(1)
    const environments = await sdk.environments.list()
    expect(environments.result).toHaveLength(3)
    const synced = await sdk.workflows.sync(
      { targetEnvironmentId: novu.environmentId('Staging') },
      'welcome'
    )
    expect(synced.result.workflowId).toBe('welcome')

    expect(
      novu.requests.map((r) => `${r.method} ${r.path} ${r.status}`)
    ).toEqual([
      'POST /v2/workflows 201',
      'GET /v2/workflows/welcome 200',
      'GET /v2/workflows?limit=10 200',
      'GET /v1/environments 200',
      'PUT /v2/workflows/welcome/sync 200'
    ])
    expect(novu.requests[0]?.environment).toBe('Development')
    novu.resetRequests()
    expect(novu.requests).toEqual([])
  })
})
