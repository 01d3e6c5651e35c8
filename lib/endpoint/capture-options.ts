/** Capture of requests and responses for Model Monitor and debugging. */
export interface DataCaptureOptions {
  /**
   * Whether capture is on.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The share of requests captured, in percent (0 to 100).
   *
   * @default 20
   */
  readonly samplingPercentage?: number;

  /**
   * Capture requests.
   *
   * @default true
   */
  readonly captureRequest?: boolean;

  /**
   * Capture responses.
   *
   * @default true
   */
  readonly captureResponse?: boolean;

  /**
   * The key prefix of the captured data in the artifact bucket.
   *
   * @default - the storage layout's `dataCapturePrefix(endpoint name)` ("data-capture/<endpoint name>")
   */
  readonly prefix?: string;

  /**
   * Content types captured as CSV.
   *
   * @default - SageMaker's defaults
   */
  readonly csvContentTypes?: string[];

  /**
   * Content types captured as JSON.
   *
   * @default - SageMaker's defaults
   */
  readonly jsonContentTypes?: string[];
}
