/**
 * cdk-nag acknowledgments, with the finding ids written the way cdk-nag writes them, so that each
 * acknowledgment names one exact finding (cdk-nag 3 has no rule-wide prefix match for IAM5).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A CloudFormation value flattened the way cdk-nag prints it in a finding id:
 * `{ Ref: X }` -> `<X>`, `{ 'Fn::GetAtt': [X, A] }` -> `<X.A>`, Fn::Join joined.
 */
export function nagFlatten(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(nagFlatten).join(delimiter);
    }
    if (node['Fn::Sub'] !== undefined) return nagFlatten(node['Fn::Sub']);
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${nagFlatten(resource)}.${nagFlatten(attribute)}>`;
    }
    if (node['Fn::ImportValue'] !== undefined) return nagFlatten(node['Fn::ImportValue']);
    if (node.Ref !== undefined) return `<${nagFlatten(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

/** Acknowledges AwsSolutions-IAM5 for each of these (wildcard) resource ARNs on the policy. */
export function acknowledgeWildcardResources(policy: IConstruct, resources: readonly string[], reason: string): void {
  const stack = Stack.of(policy);
  for (const arn of resources) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagFlatten(stack.resolve(arn))}]`,
      reason,
    });
  }
}
