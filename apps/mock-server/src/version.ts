/** Version of the emulator, sent on every response as `X-Insight-Emulator-Version`; kept equal to package.json. */
export const EMULATOR_VERSION = '0.1.0';
