import type { z } from 'zod';
import type { InsightEndpointName } from '../http/paths.js';
import * as endpoints from './endpoints.js';
import { StreamEvent } from './item-doc.js';

/** The schemas of one endpoint: its query, body, success `data`, or stream event, where it has one. */
export interface InsightEndpointSchemas {
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly data?: z.ZodType;
  readonly event?: z.ZodType;
}

/** The schemas of every Content Insight endpoint, by endpoint name; client and emulator validate with the same. */
export const INSIGHT_SCHEMAS = {
  accessToken: { data: endpoints.AccessTokenData },
  backtrackPreview: { body: endpoints.BacktrackPreviewRequest, data: endpoints.BacktrackPreviewData },
  backtrackCreate: { body: endpoints.BacktrackCreateRequest, data: endpoints.TaskCreatedData },
  backtrackTaskInfo: { query: endpoints.TaskIdQuery, data: endpoints.BacktrackTaskInfo },
  realtimeCreate: { body: endpoints.RealtimeCreateRequest, data: endpoints.TaskCreatedData },
  realtimeUpdate: { body: endpoints.RealtimeUpdateRequest },
  realtimeTaskRule: { query: endpoints.TaskIdQuery, data: endpoints.RealtimeTaskRule },
  realtimeTaskRules: { data: endpoints.RealtimeTaskRules },
  sensitiveWordsCheck: { body: endpoints.SensitiveWordsCheckRequest, data: endpoints.SensitiveWordsCheckData },
  realtimeStream: { query: endpoints.RealtimeStreamQuery, event: StreamEvent },
  backtrackStream: { query: endpoints.BacktrackStreamQuery, event: StreamEvent },
  search: { body: endpoints.SearchRequest, data: endpoints.SearchData },
  queryById: { query: endpoints.QueryByIdQuery, data: endpoints.QueryByIdData },
} as const satisfies Record<InsightEndpointName, InsightEndpointSchemas>;
