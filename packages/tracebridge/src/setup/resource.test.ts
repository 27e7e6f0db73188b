import { describe, expect, it } from 'vitest';
import { createResource, functionArnAttributes, lambdaAttributes } from './resource.js';
import { TRACEBRIDGE_VERSION } from '../version.js';

const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'orders-consumer',
  AWS_LAMBDA_FUNCTION_VERSION: '7',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/orders-consumer',
  AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[7]abcdef',
};
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer';

describe('lambdaAttributes', () => {
  it('describes the function the way the semantic conventions do', () => {
    expect(lambdaAttributes(LAMBDA_ENV)).toEqual({
      'service.name': 'orders-consumer',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloud.region': 'eu-west-1',
      'faas.name': 'orders-consumer',
      'faas.version': '7',
      'faas.max_memory': 256 * 1024 * 1024,
      'faas.instance': '2026/01/01/[7]abcdef',
      'aws.log.group.names': ['/aws/lambda/orders-consumer'],
      'aws.log.stream.names': ['2026/01/01/[7]abcdef'],
    });
  });

  it('is empty outside Lambda, and skips what the environment lacks', () => {
    expect(lambdaAttributes({ AWS_REGION: 'eu-west-1' })).toEqual({});
    expect(
      lambdaAttributes({ AWS_LAMBDA_FUNCTION_NAME: 'f', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'x' }),
    ).toEqual({
      'service.name': 'f',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'faas.name': 'f',
    });
  });
});

describe('functionArnAttributes', () => {
  it('replaces an alias by the running version, keeps an unqualified ARN, reads the account', () => {
    expect(functionArnAttributes(`${ARN}:live`, '7')).toEqual({
      'cloud.resource_id': `${ARN}:7`,
      'faas.id': `${ARN}:7`,
      'cloud.account.id': '123456789012',
    });
    expect(functionArnAttributes(ARN, '7')['cloud.resource_id']).toBe(ARN);
    expect(functionArnAttributes(`${ARN}:live`, undefined)['cloud.resource_id']).toBe(
      `${ARN}:live`,
    );
  });

  it('ignores what is not a Lambda function ARN', () => {
    expect(functionArnAttributes('arn:aws:sqs:eu-west-1:123456789012:queue', '1')).toEqual({});
    expect(functionArnAttributes('', '1')).toEqual({});
  });
});

describe('createResource', () => {
  it('layers the defaults, Lambda, resource attributes and the service name', async () => {
    const { resource, settle } = createResource(
      { serviceName: 'explicit', resourceAttributes: { 'faas.version': 'override', team: 'a' } },
      LAMBDA_ENV,
    );
    settle(undefined);
    await resource.waitForAsyncAttributes?.();

    expect(resource.attributes).toMatchObject({
      'service.name': 'explicit',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'tracebridge',
      'telemetry.sdk.version': TRACEBRIDGE_VERSION,
      'faas.name': 'orders-consumer',
      'faas.version': 'override',
      team: 'a',
    });
  });

  it('in Lambda, holds the ARN attributes pending until the first context settles them', async () => {
    const { resource, settle } = createResource(
      { serviceName: undefined, resourceAttributes: {} },
      LAMBDA_ENV,
    );

    expect(resource.asyncAttributesPending).toBe(true);
    settle(`${ARN}:live`);
    settle('arn:aws:lambda:us-east-1:999999999999:function:other');
    await resource.waitForAsyncAttributes?.();

    expect(resource.attributes).toMatchObject({
      'service.name': 'orders-consumer',
      'cloud.resource_id': `${ARN}:7`,
      'faas.id': `${ARN}:7`,
      'cloud.account.id': '123456789012',
    });
  });

  it('settles without ARN attributes when no context came', async () => {
    const { resource, settle } = createResource(
      { serviceName: undefined, resourceAttributes: {} },
      LAMBDA_ENV,
    );
    settle(undefined);
    await resource.waitForAsyncAttributes?.();

    expect(Object.keys(resource.attributes)).not.toContain('cloud.resource_id');
  });

  it('outside Lambda, has nothing pending and the SDK default service name', () => {
    const { resource } = createResource({ serviceName: undefined, resourceAttributes: {} }, {});

    expect(resource.asyncAttributesPending).toBe(false);
    expect(resource.attributes['service.name']).toMatch(/^unknown_service:/);
  });
});

describe('the resource, to code that holds only the SDK interface', () => {
  it('keeps configured attributes over those of the ARN, and merges with the other winning', async () => {
    const { resource, settle } = createResource(
      { serviceName: undefined, resourceAttributes: { 'cloud.account.id': 'configured' } },
      LAMBDA_ENV,
    );
    settle(ARN);
    await resource.waitForAsyncAttributes?.();

    expect(resource.asyncAttributesPending).toBe(false);
    expect(resource.attributes['cloud.account.id']).toBe('configured');
    expect(resource.attributes['cloud.resource_id']).toBe(ARN);
    expect(resource.getRawAttributes()).toContainEqual(['faas.name', 'orders-consumer']);
    const merged = resource.merge(
      createResource({ serviceName: 'other', resourceAttributes: {} }, {}).resource,
    );
    expect(merged.attributes['service.name']).toBe('other');
    expect(merged.attributes['faas.name']).toBe('orders-consumer');
    expect(resource.merge(null)).toBe(resource);
  });
});
