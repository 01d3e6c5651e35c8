/**
 * The approval status of a model package version in the SageMaker Model Registry
 * (`ModelApprovalStatus` in the API, in EventBridge events and in pipeline definitions).
 */
export enum ModelApprovalStatus {
  /** Registered and waiting for a person (or an approval policy) to approve it. */
  PENDING_MANUAL_APPROVAL = 'PendingManualApproval',
  /** Approved: may be deployed. */
  APPROVED = 'Approved',
  /** Rejected: must not be deployed. */
  REJECTED = 'Rejected',
}
