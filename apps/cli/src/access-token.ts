import { AccessTokenData, INSIGHT_ENDPOINTS, INSIGHT_HEADERS, InsightEnvelope } from '@insight/protocol';
import type { InsightSettings } from './config.js';
import { CliError, EXIT_CODES } from './errors.js';

/** An access token as the service issued it. */
export interface IssuedAccessToken {
  /** The token, sent as `X-Insight-Access-Token`. */
  readonly accessToken: string;
  /** Its lifetime in seconds. */
  readonly expiresIn: number;
}

/**
 * Exchanges the business secret for an access token (`GET /oauth/access_token`). The clients manage tokens on their
 * own; this is for people who need one in hand, e.g. to call the API with curl.
 */
export async function fetchAccessToken(settings: InsightSettings, signal: AbortSignal): Promise<IssuedAccessToken> {
  const url = new URL(INSIGHT_ENDPOINTS.accessToken.path, settings.baseUrl);
  let response: Response;
  try {
    response = await fetch(url, {
      method: INSIGHT_ENDPOINTS.accessToken.method,
      headers: { [INSIGHT_HEADERS.bizName]: settings.bizName, [INSIGHT_HEADERS.bizSecret]: settings.bizSecret },
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(
      `cannot reach ${url.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      EXIT_CODES.CONNECTION,
    );
  }
  const text = await response.text();
  let envelope: InsightEnvelope;
  try {
    envelope = InsightEnvelope.parse(JSON.parse(text));
  } catch {
    throw new CliError(
      `unexpected answer from ${url.origin} (HTTP ${response.status}): ${text.slice(0, 120)}`,
      EXIT_CODES.API,
    );
  }
  if (envelope.status !== 0 || !response.ok) {
    throw new CliError(`the service refused the call: HTTP ${response.status} ${envelope.message}`, EXIT_CODES.API);
  }
  const data = AccessTokenData.safeParse(envelope.data);
  if (!data.success) throw new CliError(`unexpected token answer: ${data.error.issues[0]?.message}`, EXIT_CODES.API);
  return { accessToken: data.data.access_token, expiresIn: data.data.expire };
}
