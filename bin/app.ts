#!/usr/bin/env node
/*
 * The main job: synthesize every example of the library, offline, with no AWS account or credentials.
 * The cdk-nag packs (AwsSolutions, HIPAA Security, NIST 800-53 R5, PCI DSS 3.2.1) and the
 * CloudFormation Guard rules run as validation plugins; a finding left unacknowledged fails the synth.
 *
 *   npx cdk synth            (all example stacks, into cdk.out/)
 */
import { App, Validations } from 'aws-cdk-lib';
import { compliancePlugins } from '../examples/compliance';
import { addAllExamples } from '../examples/index';

const app = new App();
Validations.of(app).addPlugins(...compliancePlugins(app));
addAllExamples(app);
app.synth();
