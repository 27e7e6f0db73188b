import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { readTemplate, TemplateError } from './index.js';

const BROKEN = fileURLToPath(new URL('./fixtures/broken/', import.meta.url));

async function readError(path: string): Promise<TemplateError> {
  const error: unknown = await readTemplate(path).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(TemplateError);
  return error as TemplateError;
}

describe('broken references', () => {
  it.each([
    [
      'missing-reference.yaml',
      'Producer.Environment.Variables.QUEUE_URL: refers to OrdersQueu, which is neither a resource nor a parameter of the template. Did you mean OrdersQueue?',
    ],
    [
      'missing-attribute.yaml',
      'Producer.Environment.Variables.QUEUE_URL: OrdersQueue (AWS::SQS::Queue) has no attribute Url locally. Use one of: Arn, QueueName, QueueUrl.',
    ],
    [
      'missing-queue.yaml',
      'Consumer.Events.Orders.Properties.Queue: refers to OrdersQueue, which is neither a resource nor a parameter of the template.',
    ],
    [
      'queue-by-url.yaml',
      'Consumer.Events.Orders.Properties.Queue: !Ref OrdersQueue is not the ARN AWS expects here. Use !GetAtt OrdersQueue.Arn.',
    ],
    [
      'missing-stream.yaml',
      'StreamMapping.EventSourceArn: points at AWS::Kinesis::Stream orders, which the template does not define.',
    ],
    [
      'missing-dead-letter-queue.yaml',
      'OrdersQueue.RedrivePolicy.deadLetterTargetArn: refers to OrdersDlq, which is neither a resource nor a parameter of the template.',
    ],
  ])('%s names the resource and the property', async (fixture, expected) => {
    const path = join(BROKEN, fixture);
    const error = await readError(path);

    expect(error.name).toBe('TemplateError');
    expect(error.message).toContain(`${path}: ${expected}`);
  });
});

describe('values AWS would refuse', () => {
  it.each([
    [
      'handler-without-dot.yaml',
      'Producer.Handler: handler has no dot between file and export. Write it as file.export',
    ],
    ['missing-code.yaml', 'Producer.CodeUri: ../does-not-exist/ does not exist'],
    [
      'missing-entry-point.yaml',
      'Producer.Metadata.BuildProperties.EntryPoints: no file producer.ts or producer.js',
    ],
    [
      'reserved-variable.yaml',
      'Producer.Environment.Variables.AWS_REGION: is reserved: Lambda sets it itself. Rename the variable.',
    ],
    [
      'fifo-name.yaml',
      'Jobs.QueueName: jobs lacks the .fifo suffix of a FIFO queue. End the name with .fifo.',
    ],
    [
      'fifo-batch-size.yaml',
      'Worker (event source from Jobs): BatchSize 20 is above 10, the most Lambda takes from a FIFO queue.',
    ],
    [
      'visibility-timeout.yaml',
      "Consumer (event source from OrdersQueue): the function's Timeout (60 s) is longer than the queue's VisibilityTimeout (30 s), which Lambda refuses. Raise OrdersQueue.VisibilityTimeout to at least 60",
    ],
    [
      'no-starting-position.yaml',
      'Consumer.Events.Orders.Properties.StartingPosition: is missing. Set StartingPosition to TRIM_HORIZON, LATEST or AT_TIMESTAMP.',
    ],
    [
      'no-transform.yaml',
      'Producer: AWS::Serverless::Function needs Transform: AWS::Serverless-2016-10-31.',
    ],
  ])('%s says what to change', async (fixture, expected) => {
    const path = join(BROKEN, fixture);
    const error = await readError(path);

    expect(error.message).toContain(`${path}: ${expected}`);
  });
});

describe('unreadable templates', () => {
  it('reports invalid YAML with its line, and keeps the parser error as the cause', async () => {
    const path = join(BROKEN, 'invalid-yaml.template');
    const error = await readError(path);

    expect(error.message).toContain(
      `${path}: invalid YAML: All mapping items must start at the same column at line 4`,
    );
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports an unknown short form instead of reading it as text', async () => {
    const error = await readError(join(BROKEN, 'unknown-tag.yaml'));

    expect(error.message).toContain('Unresolved tag: !GetAttr at line 6');
    expect(error.message).toContain("Use one of CloudFormation's short forms: !Ref");
  });

  it('reports invalid JSON', async () => {
    const path = join(BROKEN, 'invalid-json.template');
    const error = await readError(path);

    expect(error.message).toMatch(new RegExp(`^${path}: invalid JSON: `));
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('reports a file that has no Resources', async () => {
    const path = join(BROKEN, 'no-resources.yaml');
    const error = await readError(path);

    expect(error.message).toBe(
      `${path}: is not a CloudFormation template: it has no Resources map. Declare the resources under Resources.`,
    );
  });

  it('reports a missing file', async () => {
    const path = join(BROKEN, 'nowhere.yaml');
    const error = await readError(path);

    expect(error.message).toBe(
      `${path}: no such file. Check the path; it is relative to the current folder.`,
    );
    expect(error.cause).toMatchObject({ code: 'ENOENT' });
  });

  it('points from a folder to the template in it', async () => {
    const error = await readError(BROKEN);

    expect(error.message).toContain('is a folder. Pass the template file in it');
  });
});
