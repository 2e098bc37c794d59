import nock from 'nock'
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  test
} from '@jest/globals'
import { createNovuGateway, type Gateway } from '../src/engine/novu/client.js'
import { NovuApiError, toNovuApiError } from '../src/engine/novu/errors.js'
import type { RemoteWorkflow, WorkflowDefinition } from '../src/engine/model.js'

// nock answers for this address; nothing listens on it.
const API = 'http://127.0.0.1:4010'
const SECRET = 'sk_test_5f0c1a2b3c4d5e6f7a8b9c0d1e2f3a4b'

const seenErrors: unknown[] = []

const EMAIL_ON = {
  all: { enabled: true },
  channels: { email: { enabled: true } }
}

type Options = Parameters<typeof createNovuGateway>[0]

function gateway(options: Partial<Options> = {}): Gateway {
  return createNovuGateway({
    apiUrl: API,
    secretKey: SECRET,
    concurrency: 2,
    timeoutMs: 2_000,
    retryBudgetMs: 3_000,
    ...options
  })
}

/** Awaits a call that must fail and returns its error. */
async function failure(promise: Promise<unknown>): Promise<NovuApiError> {
  try {
    await promise
  } catch (error) {
    seenErrors.push(error)
    expect(error).toBeInstanceOf(NovuApiError)
    return error as NovuApiError
  }
  throw new Error('expected the call to fail')
}

function definition(
  overrides: Partial<WorkflowDefinition> = {}
): WorkflowDefinition {
  return {
    workflowId: 'welcome',
    name: 'Welcome',
    description: 'Greets new users',
    tags: ['onboarding'],
    active: true,
    validatePayload: true,
    payloadSchema: {
      type: 'object',
      properties: { name: { type: 'string' } }
    },
    preferences: {
      workflow: EMAIL_ON,
      user: null
    },
    severity: 'medium',
    isTranslationEnabled: false,
    steps: [
      {
        stepId: 'mail',
        name: 'Mail',
        type: 'email',
        controlValues: {
          subject: 'Hi {{payload.name}}',
          body: '<p>Hello</p>',
          editorType: 'html',
          futureControl: { kept: true }
        }
      },
      {
        stepId: 'bell',
        name: 'Bell',
        type: 'in_app',
        controlValues: { body: 'Welcome!' }
      }
    ],
    ...overrides
  }
}

/** A workflow as Novu's API returns it, wrapped in `{ data }`. */
function savedBody(
  workflowId = 'welcome',
  extra: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    data: {
      _id: '65f0000000000000000000a1',
      workflowId,
      slug: `${workflowId}_wf_1`,
      name: 'Welcome',
      description: 'Greets new users',
      tags: ['onboarding'],
      active: true,
      validatePayload: true,
      payloadSchema: { type: 'object' },
      isTranslationEnabled: false,
      severity: 'medium',
      origin: 'novu-cloud',
      status: 'ACTIVE',
      updatedAt: '2025-01-01T00:00:00.000Z',
      createdAt: '2025-01-01T00:00:00.000Z',
      preferences: {
        default: EMAIL_ON,
        user: null
      },
      steps: [
        {
          _id: '65f0000000000000000000b1',
          stepId: 'mail',
          name: 'Mail',
          type: 'email',
          controlValues: {
            subject: 'Hi {{payload.name}}',
            body: '<p>Hello</p>',
            editorType: 'html',
            futureControl: { kept: true }
          }
        }
      ],
      ...extra
    }
  }
}

function remote(): RemoteWorkflow {
  return {
    internalId: '65f0000000000000000000a1',
    workflowId: 'welcome',
    name: 'Welcome',
    description: '',
    tags: [],
    active: true,
    validatePayload: false,
    payloadSchema: null,
    preferences: {
      workflow: { all: { enabled: false }, channels: {} },
      user: { all: { enabled: true }, channels: {} }
    },
    severity: 'none',
    isTranslationEnabled: false,
    origin: 'novu-cloud',
    status: 'ACTIVE',
    issues: [],
    steps: [
      {
        internalId: 'step-mail-id',
        stepId: 'mail',
        name: 'Mail',
        type: 'email',
        controlValues: {}
      },
      {
        internalId: 'step-bell-id',
        stepId: 'bell',
        name: 'Bell',
        type: 'sms',
        controlValues: {}
      },
      {
        internalId: 'step-gone-id',
        stepId: 'gone',
        name: 'Gone',
        type: 'chat',
        controlValues: {}
      }
    ]
  }
}

beforeAll(() => {
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
})

afterEach(() => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  expect(pending).toEqual([])
})

afterAll(() => {
  nock.enableNetConnect()
  // Whatever failed in this file, the key was never part of the message.
  for (const error of seenErrors) {
    expect(String((error as Error).message)).not.toContain(SECRET)
  }
})

describe('request bodies', () => {
  test('create sends the definition exactly as built', async () => {
    let sent: unknown
    nock(API, { reqheaders: { authorization: `ApiKey ${SECRET}` } })
      .post('/v2/workflows', (body) => {
        sent = body
        return true
      })
      .reply(201, savedBody())

    const saved = await gateway().createWorkflow(definition())

    expect(sent).toEqual({
      workflowId: 'welcome',
      name: 'Welcome',
      description: 'Greets new users',
      tags: ['onboarding'],
      active: true,
      validatePayload: true,
      payloadSchema: {
        type: 'object',
        properties: { name: { type: 'string' } }
      },
      severity: 'medium',
      isTranslationEnabled: false,
      __source: 'editor',
      preferences: {
        workflow: {
          all: { enabled: true },
          channels: { email: { enabled: true } }
        },
        user: null
      },
      steps: [
        {
          stepId: 'mail',
          name: 'Mail',
          type: 'email',
          controlValues: {
            subject: 'Hi {{payload.name}}',
            body: '<p>Hello</p>',
            editorType: 'html',
            futureControl: { kept: true }
          }
        },
        {
          stepId: 'bell',
          name: 'Bell',
          type: 'in_app',
          controlValues: { body: 'Welcome!' }
        }
      ]
    })
    expect(saved.internalId).toBe('65f0000000000000000000a1')
    expect(saved.steps[0]?.controlValues.futureControl).toEqual({ kept: true })
  })

  test('create leaves preferences to Novu when the file has none', async () => {
    let sent: Record<string, unknown> = {}
    nock(API)
      .post('/v2/workflows', (body) => {
        sent = body as Record<string, unknown>
        return true
      })
      .reply(201, savedBody())

    await gateway().createWorkflow(definition({ preferences: null }))
    expect('preferences' in sent).toBe(false)
  })

  test('update carries step ids by stepId, replacing all', async () => {
    let sent: Record<string, unknown> = {}
    nock(API)
      .put('/v2/workflows/welcome', (body) => {
        sent = body as Record<string, unknown>
        return true
      })
      .reply(200, savedBody())

    const wanted = definition({ preferences: null })
    wanted.steps.push({
      stepId: 'later',
      name: 'Later',
      type: 'delay',
      controlValues: { amount: 1, unit: 'hours', type: 'regular' }
    })
    await gateway().updateWorkflow(wanted, remote())

    expect(sent).toMatchObject({
      name: 'Welcome',
      active: true,
      isTranslationEnabled: false,
      origin: 'novu-cloud',
      // No preferences in the file: Novu's current ones are kept.
      preferences: {
        workflow: { all: { enabled: false }, channels: {} },
        user: { all: { enabled: true }, channels: {} }
      }
    })
    expect('workflowId' in sent).toBe(false)
    expect(sent.steps).toEqual([
      {
        _id: 'step-mail-id',
        stepId: 'mail',
        name: 'Mail',
        type: 'email',
        controlValues: {
          subject: 'Hi {{payload.name}}',
          body: '<p>Hello</p>',
          editorType: 'html',
          futureControl: { kept: true }
        }
      },
      // Same stepId, other type: a new step, so no internal id.
      {
        stepId: 'bell',
        name: 'Bell',
        type: 'in_app',
        controlValues: { body: 'Welcome!' }
      },
      {
        stepId: 'later',
        name: 'Later',
        type: 'delay',
        controlValues: { amount: 1, unit: 'hours', type: 'regular' }
      }
    ])
  })
})

describe('reading workflows', () => {
  test("maps Novu's answer into the engine's model", async () => {
    const missing = (message: string) => ({
      issueType: 'MISSING_VALUE',
      message
    })
    nock(API)
      .get('/v2/workflows/welcome')
      .query({ environmentId: 'env-prod' })
      .reply(
        200,
        savedBody('welcome', {
          status: 'ERROR',
          issues: { name: [missing('Name is missing')] },
          preferences: {
            default: { all: { enabled: false }, channels: {} },
            user: { all: { enabled: true }, channels: {} }
          },
          steps: [
            {
              _id: 'abc',
              stepId: 'mail',
              name: 'Mail',
              type: 'email',
              controls: { values: { subject: '' } },
              issues: {
                controls: {
                  subject: [missing('Subject is required')]
                }
              }
            }
          ]
        })
      )

    const workflow = await gateway().getWorkflow('welcome', 'env-prod')

    expect(workflow).toMatchObject({
      internalId: '65f0000000000000000000a1',
      status: 'ERROR',
      preferences: {
        workflow: { all: { enabled: false }, channels: {} },
        user: { all: { enabled: true }, channels: {} }
      },
      steps: [
        {
          internalId: 'abc',
          stepId: 'mail',
          type: 'email',
          controlValues: { subject: '' }
        }
      ],
      issues: [
        { field: 'name', message: 'Name is missing' },
        { stepId: 'mail', field: 'subject', message: 'Subject is required' }
      ]
    })
  })

  test('a workflow Novu does not hold is null', async () => {
    nock(API)
      .get('/v2/workflows/missing')
      .reply(404, {
        statusCode: 404,
        timestamp: '2025-01-01T00:00:00.000Z',
        path: '/v2/workflows/missing',
        message: 'Workflow cannot be found',
        ctx: { workflowId: 'missing' }
      })

    await expect(gateway().getWorkflow('missing')).resolves.toBeNull()
  })

  test('a route Novu does not have stops the run', async () => {
    nock(API).get('/v2/workflows/welcome').reply(404, {
      statusCode: 404,
      message: 'Cannot GET /v1/v2/workflows/welcome',
      error: 'Not Found'
    })

    const error = await failure(gateway().getWorkflow('welcome'))
    expect(error.kind).toBe('route-not-found')
    expect(error.fatal).toBe(true)
    expect(error.message).toContain('api-url')
    expect(error.message).toContain('/v1')
  })

  test('lists every page of workflows', async () => {
    const page = (from: number, count: number) => ({
      data: {
        totalCount: 150,
        workflows: Array.from({ length: count }, (_, index) => ({
          workflowId: `wf-${from + index}`,
          name: `Workflow ${from + index}`,
          origin: 'novu-cloud',
          updatedAt: '2025-01-01T00:00:00.000Z'
        }))
      }
    })
    nock(API)
      .get('/v2/workflows')
      .query({ limit: '100', offset: '0' })
      .reply(200, page(0, 100))
      .get('/v2/workflows')
      .query({ limit: '100', offset: '100' })
      .reply(200, page(100, 50))

    const all = await gateway().listWorkflows()
    expect(all).toHaveLength(150)
    expect(all[149]).toEqual({
      workflowId: 'wf-149',
      name: 'Workflow 149',
      origin: 'novu-cloud',
      updatedAt: '2025-01-01T00:00:00.000Z'
    })
  })
})

describe('creating', () => {
  test('a suffixed duplicate is an error that names it', async () => {
    nock(API).post('/v2/workflows').reply(201, savedBody('welcome-ab12'))

    const error = await failure(gateway().createWorkflow(definition()))
    expect(error.kind).toBe('duplicate')
    expect(error.message).toContain('"welcome-ab12"')
    expect(error.message).toMatch(/Delete the duplicate/)
  })

  test('an unclear create that did save is read, not repeated', async () => {
    nock(API)
      .post('/v2/workflows')
      .reply(503, { statusCode: 503, message: 'Service Unavailable' })
      .get('/v2/workflows/welcome')
      .reply(200, savedBody())

    const client = gateway()
    const saved = await client.createWorkflow(definition())
    expect(saved.workflowId).toBe('welcome')
    expect(client.stats()).toMatchObject({ requests: 2, writes: 1, retried: 0 })
  })

  test('an unclear create that did not save is sent again', async () => {
    nock(API)
      .post('/v2/workflows')
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' })
      .get('/v2/workflows/welcome')
      .reply(404, { statusCode: 404, message: 'Workflow cannot be found' })
      .post('/v2/workflows')
      .reply(201, savedBody())

    const client = gateway()
    const saved = await client.createWorkflow(definition())
    expect(saved.workflowId).toBe('welcome')
    expect(client.stats()).toMatchObject({ writes: 2, retried: 1 })
  })

  test('a create whose outcome stays unknown reports the create', async () => {
    nock(API)
      .post('/v2/workflows')
      .reply(500, { statusCode: 500, message: 'Internal server error' })
      .get('/v2/workflows/welcome')
      .reply(401, { statusCode: 401, message: 'Unauthorized' })

    const error = await failure(gateway().createWorkflow(definition()))
    expect(error.kind).toBe('server')
    expect(error.message).toContain('Could not create workflow "welcome"')
  })

  test('a step type newer than the SDK is saved and read', async () => {
    nock(API)
      .post('/v2/workflows')
      .reply(
        201,
        savedBody('welcome', {
          steps: [
            { _id: 's1', stepId: 'think', name: 'Think', type: 'ai_agent' }
          ]
        })
      )

    const saved = await gateway().createWorkflow(definition())
    expect(saved.steps).toEqual([
      {
        internalId: 's1',
        stepId: 'think',
        name: 'Think',
        type: 'ai_agent',
        controlValues: {}
      }
    ])
  })

  test('the workflow limit is not retried', async () => {
    nock(API).post('/v2/workflows').reply(400, {
      statusCode: 400,
      message:
        'Workflow limit exceeded. Please contact us to support more workflows.'
    })

    const error = await failure(gateway().createWorkflow(definition()))
    expect(error.kind).toBe('workflow-limit')
    expect(error.retryable).toBe(false)
    expect(error.message).toContain('workflow limit of the Novu plan')
  })
})

describe('error bodies', () => {
  test('401 points at the Development key and the region', async () => {
    nock(API).get('/v2/workflows/welcome').reply(401, {
      statusCode: 401,
      message: 'API Key not found'
    })

    const error = await failure(gateway().getWorkflow('welcome'))
    expect(error.kind).toBe('unauthorized')
    expect(error.fatal).toBe(true)
    expect(error.message).toContain('Development environment')
    expect(error.message).toContain('https://eu.api.novu.co')
    expect(error.message).toContain('API Key not found')
  })

  test('422 lists each field of the errors map', async () => {
    nock(API)
      .post('/v2/workflows')
      .reply(422, {
        statusCode: 422,
        message: 'Validation Error',
        errors: {
          'steps[0].controlValues.subject': {
            messages: ['must be a string'],
            value: 5
          },
          tags: { messages: ['must contain no more than 16 elements'] }
        }
      })

    const error = await failure(gateway().createWorkflow(definition()))
    expect(error.kind).toBe('validation')
    expect(error.message).toContain(
      'steps[0].controlValues.subject: must be a string'
    )
    expect(error.message).toContain(
      'tags: must contain no more than 16 elements'
    )
    expect(error.message).toContain('"welcome"')
  })

  test('a list of strings is joined', async () => {
    nock(API)
      .put('/v2/workflows/welcome')
      .reply(400, {
        statusCode: 400,
        message: ['name should not be empty', 'steps must be an array']
      })

    const error = await failure(
      gateway().updateWorkflow(definition(), remote())
    )
    expect(error.kind).toBe('rule')
    expect(error.message).toContain(
      'name should not be empty; steps must be an array'
    )
  })

  test('an HTML page from a proxy is named, not dumped', async () => {
    nock(API)
      .get('/v2/workflows/welcome')
      .reply(
        502,
        '<html><head><title>502 Bad Gateway</title></head>' +
          '<body>nginx</body></html>',
        { 'Content-Type': 'text/html' }
      )

    const error = await failure(
      gateway({ retryBudgetMs: 0 }).getWorkflow('welcome')
    )
    expect(error.kind).toBe('server')
    expect(error.message).toContain('HTTP 502 from a proxy (HTML body)')
    expect(error.message).not.toContain('<html')
  })

  test('the key is scrubbed from anything echoed back', () => {
    const error = toNovuApiError(
      {
        statusCode: 400,
        body: JSON.stringify({
          message: `bad header Authorization: ApiKey ${SECRET}`,
          ctx: { url: `${API}/v2/workflows?key=${SECRET}` }
        })
      },
      { operation: 'read workflow', workflowId: 'x', secrets: [SECRET] }
    )
    seenErrors.push(error)
    expect(error.message).not.toContain(SECRET)
    expect(error.message).toContain('ApiKey ***')

    const unregistered = toNovuApiError(new Error(`ApiKey ${SECRET} refused`), {
      operation: 'read workflow'
    })
    expect(unregistered.message).not.toContain(SECRET)
  })
})

describe('retries and pacing', () => {
  test('429 waits as long as Retry-After says, then succeeds', async () => {
    nock(API)
      .get('/v2/workflows/welcome')
      .reply(
        429,
        { statusCode: 429, message: 'Too Many Requests' },
        {
          'Retry-After': '1'
        }
      )
      .get('/v2/workflows/welcome')
      .reply(200, savedBody())

    const client = gateway()
    const started = Date.now()
    const workflow = await client.getWorkflow('welcome')
    expect(workflow?.workflowId).toBe('welcome')
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(client.stats()).toMatchObject({
      requests: 2,
      throttled: 1,
      retried: 1
    })
  })

  test('a Retry-After beyond the budget gives up at once', async () => {
    nock(API).get('/v2/workflows/welcome').reply(
      429,
      { statusCode: 429, message: 'Too Many Requests' },
      {
        'Retry-After': '120'
      }
    )

    const started = Date.now()
    const error = await failure(gateway().getWorkflow('welcome'))
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(error.kind).toBe('throttled')
    expect(error.message).toContain('Lower the concurrency input')
    expect(error.message).toContain('Gave up after 1 attempt')
  })

  test('retries end when the budget is spent', async () => {
    nock(API)
      .get('/v2/workflows/welcome')
      .times(10)
      .reply(503, { statusCode: 503, message: 'Service Unavailable' })

    const client = gateway({ retryBudgetMs: 1_200 })
    const started = Date.now()
    const error = await failure(client.getWorkflow('welcome'))
    expect(Date.now() - started).toBeLessThan(2_500)
    expect(error.kind).toBe('server')
    expect(error.message).toMatch(/Gave up after [2-4] attempts/)
    expect(client.stats().retried).toBeGreaterThanOrEqual(1)
    nock.cleanAll()
  })

  test('a timeout ends a request that hangs', async () => {
    nock(API).get('/v2/workflows/welcome').delay(1_500).reply(200, savedBody())

    const started = Date.now()
    const error = await failure(
      gateway({ timeoutMs: 300, retryBudgetMs: 0 }).getWorkflow('welcome')
    )
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(error.kind).toBe('timeout')
    expect(error.retryable).toBe(true)
  })

  test('a refused connection is a network error', async () => {
    nock(API)
      .get('/v2/workflows/welcome')
      .replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })

    const error = await failure(
      gateway({ retryBudgetMs: 0 }).getWorkflow('welcome')
    )
    expect(error.kind).toBe('network')
    expect(error.message).toContain('api-url')
  })

  test('a host name that does not exist ends the run at once', async () => {
    // One reply only: a retry would find no interceptor and fail the test.
    nock(API)
      .get('/v2/workflows/welcome')
      .replyWithError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' })

    const error = await failure(
      gateway({ retryBudgetMs: 30_000 }).getWorkflow('welcome')
    )
    expect(error.kind).toBe('network')
    expect(error.retryable).toBe(false)
    expect(error.fatal).toBe(true)
    expect(error.message).toContain('host name of the api-url input')
    expect(nock.isDone()).toBe(true)
  })

  test('an empty bucket holds back requests until it refills', async () => {
    nock(API)
      .get('/v2/workflows/one')
      .reply(200, savedBody('one'), {
        'RateLimit-Limit': '20',
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': '1'
      })
      .get('/v2/workflows/two')
      .reply(200, savedBody('two'))

    const messages: string[] = []
    const client = gateway({
      concurrency: 'auto',
      logger: { debug: (message) => messages.push(message) }
    })
    await client.getWorkflow('one')
    const started = Date.now()
    await client.getWorkflow('two')
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(messages.join('\n')).not.toContain('up to 5 at once')
    expect(client.stats().throttled).toBe(0)
  })

  test('no more requests are in flight than the concurrency', async () => {
    let inFlight = 0
    let most = 0
    const scope = nock(API)
    for (let index = 0; index < 6; index += 1) {
      scope.get(`/v2/workflows/wf-${index}`).reply(async () => {
        inFlight += 1
        most = Math.max(most, inFlight)
        await new Promise((resolve) => setTimeout(resolve, 50))
        inFlight -= 1
        return [200, savedBody(`wf-${index}`)]
      })
    }

    const client = gateway({ concurrency: 2 })
    const read = await Promise.all(
      Array.from({ length: 6 }, (_, index) => client.getWorkflow(`wf-${index}`))
    )
    expect(read.map((workflow) => workflow?.workflowId)).toHaveLength(6)
    expect(most).toBe(2)
  })

  test('auto concurrency follows RateLimit-Limit', async () => {
    nock(API).get('/v2/workflows/one').reply(200, savedBody('one'), {
      'RateLimit-Limit': '80',
      'RateLimit-Remaining': '79',
      'RateLimit-Reset': '1'
    })

    const messages: string[] = []
    const client = gateway({
      concurrency: 'auto',
      logger: { debug: (message) => messages.push(message) }
    })
    await client.getWorkflow('one')
    expect(messages).toContain(
      'Novu allows 80 requests a second; sending up to 20 at once.'
    )
  })
})

function environment(
  _id: string,
  name: string,
  extra: Record<string, unknown> = {}
): Record<string, unknown> {
  return { _id, name, identifier: _id, _organizationId: 'org', ...extra }
}

describe('SDK calls', () => {
  test('sync counts as done when the SDK cannot read the answer', async () => {
    let sent: unknown
    nock(API, { reqheaders: { authorization: `ApiKey ${SECRET}` } })
      .put('/v2/workflows/welcome/sync', (body) => {
        sent = body
        return true
      })
      // A step type newer than the SDK's model.
      .reply(
        200,
        savedBody('welcome', {
          steps: [
            { _id: 'x', stepId: 'think', name: 'Think', type: 'ai_agent' }
          ]
        })
      )

    const client = gateway()
    await expect(
      client.syncWorkflow('welcome', '65f00000000000000000e002')
    ).resolves.toBeUndefined()
    expect(sent).toEqual({ targetEnvironmentId: '65f00000000000000000e002' })
    expect(client.stats()).toMatchObject({ requests: 1, writes: 1 })
  })

  test('sync of a code-first workflow is refused with the reason', async () => {
    nock(API).put('/v2/workflows/bridge/sync').reply(400, {
      statusCode: 400,
      message: 'Cannot sync workflow with origin external'
    })

    const error = await failure(gateway().syncWorkflow('bridge', 'e2'))
    expect(error.kind).toBe('rule')
    expect(error.message).toContain('origin external')
  })

  test('delete takes a workflow already gone as deleted', async () => {
    nock(API)
      .delete('/v2/workflows/old')
      .reply(204)
      .delete('/v2/workflows/gone')
      .reply(404, { statusCode: 404, message: 'Workflow cannot be found' })

    const client = gateway()
    await expect(client.deleteWorkflow('old')).resolves.toBeUndefined()
    await expect(client.deleteWorkflow('gone')).resolves.toBeUndefined()
  })

  test('environments come from the list and /me', async () => {
    const environments = [
      environment('e1', 'Development', { identifier: 'dev1', type: 'dev' }),
      environment('e2', 'Production', { identifier: 'prod1', type: 'prod' })
    ]
    nock(API)
      .get('/v1/environments')
      .reply(200, { data: environments })
      .get('/v1/environments/me')
      .reply(200, { data: environments[0] })

    const client = gateway()
    await expect(client.listEnvironments()).resolves.toEqual([
      { id: 'e1', name: 'Development', identifier: 'dev1', type: 'dev' },
      { id: 'e2', name: 'Production', identifier: 'prod1', type: 'prod' }
    ])
    await expect(client.currentEnvironment()).resolves.toEqual({
      id: 'e1',
      name: 'Development',
      identifier: 'dev1',
      type: 'dev'
    })
  })

  test('without /me the key is found among listed environments', async () => {
    nock(API)
      .get('/v1/environments/me')
      .reply(404, {
        statusCode: 404,
        message: 'Cannot GET /v1/environments/me'
      })
      .get('/v1/environments')
      .reply(200, {
        data: [
          environment('e1', 'Development', {
            apiKeys: [{ key: SECRET, _userId: 'u' }]
          }),
          environment('e2', 'Production', {
            apiKeys: [{ key: 'other', _userId: 'u' }]
          })
        ]
      })

    await expect(gateway().currentEnvironment()).resolves.toMatchObject({
      id: 'e1',
      name: 'Development'
    })
  })
})

describe('environment diff', () => {
  test('is read raw and keyed by workflowId', async () => {
    const info = (id: string) => ({
      id,
      name: id,
      updatedAt: null,
      updatedBy: null
    })
    nock(API)
      .post('/v2/environments/65f00000000000000000e002/diff')
      .reply(200, {
        data: {
          sourceEnvironmentId: 'e1',
          targetEnvironmentId: '65f00000000000000000e002',
          resources: [
            {
              resourceType: 'workflow',
              sourceResource: info('new-one'),
              targetResource: null,
              changes: [{ resourceType: 'workflow', action: 'added' }],
              summary: { added: 1, modified: 0, deleted: 0, unchanged: 0 }
            },
            {
              resourceType: 'workflow',
              sourceResource: info('edited'),
              targetResource: info('edited'),
              changes: [
                { resourceType: 'step', action: 'modified', stepType: 'email' }
              ],
              summary: { added: 0, modified: 1, deleted: 0, unchanged: 0 }
            },
            {
              resourceType: 'workflow',
              sourceResource: null,
              targetResource: info('old'),
              changes: [{ resourceType: 'workflow', action: 'deleted' }],
              summary: { added: 0, modified: 0, deleted: 1, unchanged: 0 }
            },
            {
              resourceType: 'workflow',
              sourceResource: info('same'),
              targetResource: info('same'),
              changes: [],
              summary: { added: 0, modified: 0, deleted: 0, unchanged: 1 }
            },
            {
              resourceType: 'layout',
              sourceResource: info('default-layout'),
              targetResource: null,
              changes: [],
              summary: { added: 1, modified: 0, deleted: 0, unchanged: 0 }
            }
          ],
          summary: { totalEntities: 5, totalChanges: 4, hasChanges: true }
        }
      })

    const states = await gateway().diffEnvironment('65f00000000000000000e002')
    expect(Object.fromEntries(states)).toEqual({
      'new-one': 'added',
      edited: 'modified',
      old: 'deleted',
      same: 'unchanged'
    })
  })
})
