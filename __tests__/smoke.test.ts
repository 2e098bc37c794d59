import nock from 'nock'
import { Novu } from '@novu/api'
import { expect, test } from '@jest/globals'

test('nock intercepts the SDK', async () => {
  nock('http://127.0.0.1:9').get('/v2/workflows/x').reply(200, { data: { workflowId: 'x' } })
  const novu = new Novu({ secretKey: 'k', serverURL: 'http://127.0.0.1:9', retryConfig: { strategy: 'none' } })
  await expect(novu.workflows.get('x')).rejects.toThrow()
  expect(nock.isDone()).toBe(true)
})
