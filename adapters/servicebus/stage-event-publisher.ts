// Publishes order stage events to the `order-events` topic with the SDK (not an output binding:
// only the SDK sets messageId, which the topic's duplicate detection needs).
import { ServiceBusClient } from '@azure/service-bus';
import type { ServiceBusSender } from '@azure/service-bus';
import { DefaultAzureCredential } from '@azure/identity';
import { stageEventId } from '../../domain/order-events';
import type { OrderStageEvent } from '../../domain/order-events';
import type { StageEventPublisher } from '../../application/ports';

export const orderEventsTopic = 'order-events';

export class ServiceBusStagePublisher implements StageEventPublisher {
  private readonly sender: ServiceBusSender;

  /** `connection`: a connection string, or a namespace host name for managed identity. */
  constructor(connection: string) {
    const client = connection.includes('Endpoint=')
      ? new ServiceBusClient(connection)
      : new ServiceBusClient(connection, new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID }));
    this.sender = client.createSender(orderEventsTopic);
  }

  async publish(event: OrderStageEvent): Promise<void> {
    await this.sender.sendMessages({
      messageId: stageEventId(event),
      body: event,
      contentType: 'application/json',
      subject: event.stage,
      correlationId: event.orderId,
      applicationProperties: { stage: event.stage },
    });
  }
}
