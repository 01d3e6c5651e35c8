import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** How capacity is counted in a traffic-shifting step. */
export enum CapacitySizeType {
  /** A number of instances. */
  INSTANCE_COUNT = 'INSTANCE_COUNT',
  /** A percentage of the variant's instances. */
  CAPACITY_PERCENT = 'CAPACITY_PERCENT',
}

/** The size of a canary or of a linear step. */
export class CapacitySize {
  /**
   * A number of instances.
   *
   * @param count the number of instances
   */
  public static instances(count: number): CapacitySize {
    return new CapacitySize(CapacitySizeType.INSTANCE_COUNT, count);
  }

  /**
   * A percentage of the variant's instances.
   *
   * @param percent the percentage, 1 to 100
   */
  public static percent(percent: number): CapacitySize {
    return new CapacitySize(CapacitySizeType.CAPACITY_PERCENT, percent);
  }

  /** How the value is counted. */
  public readonly type: CapacitySizeType;
  /** The number of instances or the percentage. */
  public readonly value: number;

  private constructor(type: CapacitySizeType, value: number) {
    this.type = type;
    this.value = value;
  }
}

/** The traffic-shifting modes of a blue/green deployment. */
export enum TrafficRoutingType {
  /** All traffic moves to the new fleet in one step. */
  ALL_AT_ONCE = 'ALL_AT_ONCE',
  /** A canary first, the rest after the wait interval. */
  CANARY = 'CANARY',
  /** Equal steps, each after the wait interval. */
  LINEAR = 'LINEAR',
}

/** Options of an all-at-once shift. */
export interface AllAtOnceOptions {
  /**
   * How long the new fleet takes all traffic, watched by the rollback alarms, before the shift
   * counts as done (SageMaker's `WaitIntervalInSeconds`).
   *
   * @default Duration.minutes(5)
   */
  readonly waitInterval?: Duration;
}

/** Options of a canary shift. */
export interface CanaryOptions {
  /** The canary: at most half of the variant's instances. */
  readonly canarySize: CapacitySize;

  /**
   * How long the canary runs, watched by the rollback alarms, before the rest of the traffic moves.
   *
   * @default Duration.minutes(10)
   */
  readonly waitInterval?: Duration;
}

/** Options of a linear shift. */
export interface LinearOptions {
  /** The size of each step: 10 to 50 percent of the variant's instances. */
  readonly stepSize: CapacitySize;

  /**
   * How long each step runs, watched by the rollback alarms, before the next one.
   *
   * @default Duration.minutes(5)
   */
  readonly waitInterval?: Duration;
}

/**
 * How a blue/green deployment moves traffic from the old fleet to the new one.
 */
export class TrafficRouting {
  /**
   * All traffic at once, then a wait watched by the rollback alarms.
   *
   * @param options the wait interval
   */
  public static allAtOnce(options: AllAtOnceOptions = {}): TrafficRouting {
    return new TrafficRouting(TrafficRoutingType.ALL_AT_ONCE, options.waitInterval ?? Duration.minutes(5));
  }

  /**
   * A canary, then the rest.
   *
   * @param options the canary size and the wait interval
   */
  public static canary(options: CanaryOptions): TrafficRouting {
    return new TrafficRouting(TrafficRoutingType.CANARY, options.waitInterval ?? Duration.minutes(10), options.canarySize);
  }

  /**
   * Equal steps.
   *
   * @param options the step size and the wait interval
   */
  public static linear(options: LinearOptions): TrafficRouting {
    return new TrafficRouting(TrafficRoutingType.LINEAR, options.waitInterval ?? Duration.minutes(5), undefined, options.stepSize);
  }

  /** The mode. */
  public readonly type: TrafficRoutingType;
  /** The wait between steps. */
  public readonly waitInterval: Duration;
  /** The canary size (CANARY only). */
  public readonly canarySize?: CapacitySize;
  /** The step size (LINEAR only). */
  public readonly stepSize?: CapacitySize;

  private constructor(type: TrafficRoutingType, waitInterval: Duration, canarySize?: CapacitySize, stepSize?: CapacitySize) {
    this.type = type;
    this.waitInterval = waitInterval;
    this.canarySize = canarySize;
    this.stepSize = stepSize;
  }
}

/**
 * The guarded update of the endpoint: a blue/green deployment with traffic shifting and
 * automatic rollback when an alarm fires.
 */
export interface DeploymentOptions {
  /**
   * How traffic moves to the new fleet.
   *
   * @default TrafficRouting.allAtOnce()
   */
  readonly trafficRouting?: TrafficRouting;

  /**
   * How long the old fleet is kept after all traffic has moved, so that a rollback is instant
   * (SageMaker's `TerminationWaitInSeconds`, up to one hour).
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;

  /**
   * How long the whole deployment may take (600 to 28800 seconds). It must be longer than all
   * waits plus the bake time.
   *
   * @default - the waits plus the bake time plus 30 minutes for the new fleet to start, at least 10 minutes
   */
  readonly maximumExecutionTimeout?: Duration;

  /**
   * Create the default rollback alarms (5XX errors and p99 model latency of the variant).
   *
   * @default true
   */
  readonly defaultRollbackAlarms?: boolean;

  /**
   * More alarms that roll the deployment back (up to 10 in all).
   *
   * @default - none
   */
  readonly rollbackAlarms?: cloudwatch.IAlarm[];
}
