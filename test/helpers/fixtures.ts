import * as fs from 'fs';
import * as path from 'path';

const EVENTS = path.join(__dirname, '..', 'fixtures', 'events');

/** A sample EventBridge event from test/fixtures/events (see SOURCES.md there), freshly parsed. */
export function loadEvent(name: string): any {
  const file = path.join(EVENTS, name.endsWith('.json') ? name : `${name}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

/** The names of all sample events. */
export function allEventNames(): string[] {
  return fs.readdirSync(EVENTS).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

/**
 * The definition body of a synthesized AWS::SageMaker::Pipeline resource, parsed, with CloudFormation
 * references as `<LogicalId>` (Ref) and `<LogicalId.Attribute>` (Fn::GetAtt) placeholders.
 */
export function pipelineDefinitionOf(resource: any): any {
  const flat = (v: any): string => {
    if (typeof v === 'string') { return v; }
    if (v['Fn::Join']) { return v['Fn::Join'][1].map(flat).join(v['Fn::Join'][0]); }
    if (v.Ref) { return `<${v.Ref}>`; }
    if (v['Fn::GetAtt']) { return `<${v['Fn::GetAtt'].join('.')}>`; }
    return '<?>';
  };
  return JSON.parse(flat(resource.Properties.PipelineDefinition.PipelineDefinitionBody));
}

