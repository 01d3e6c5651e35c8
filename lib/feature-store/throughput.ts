/**
 * How a feature group is billed for reads and writes.
 */
export enum ThroughputMode {
  /** Pay per request; Feature Store scales with the traffic. */
  ON_DEMAND = 'OnDemand',
  /** Pay for reserved read and write capacity; requests above it are throttled. */
  PROVISIONED = 'Provisioned',
}

/**
 * The throughput of a feature group. It can be changed in place (to on-demand at most once a day).
 */
export interface ThroughputOptions {
  /**
   * The throughput mode. `PROVISIONED` is only for offline-only groups or the Standard online tier.
   */
  readonly mode: ThroughputMode;

  /**
   * Reserved read capacity units (provisioned mode with an online store), from 0 to 10,000,000.
   *
   * @default - none
   */
  readonly readCapacityUnits?: number;

  /**
   * Reserved write capacity units (provisioned mode), from 0 to 10,000,000.
   *
   * @default - none
   */
  readonly writeCapacityUnits?: number;
}
