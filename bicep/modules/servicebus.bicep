// Service Bus (Standard: topics and duplicate detection) with the topics and subscriptions from
// servicebus-entities.json, the file the embedded runtime's emulator reads. SAS keys are
// disabled; the app sends and receives with its managed identity.
param name string
param location string
param principalId string
param entities object

resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: name
  location: location
  sku: { name: 'Standard', tier: 'Standard' }
  properties: { disableLocalAuth: true, minimumTlsVersion: '1.2' }
}

resource topics 'Microsoft.ServiceBus/namespaces/topics@2022-10-01-preview' = [for t in entities.topics: {
  parent: namespace
  name: t.name
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT${t.duplicateDetectionWindowSeconds}S'
    defaultMessageTimeToLive: 'P14D'
  }
}]

// Subscriptions are children of their topic; a flattened list keeps the loop to one level.
var subscriptions = flatten(map(entities.topics, t => map(t.subscriptions, s => { topic: t.name, sub: s })))

resource subs 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2022-10-01-preview' = [for s in subscriptions: {
  name: '${name}/${s.topic}/${s.sub.name}'
  properties: {
    maxDeliveryCount: s.sub.maxDeliveryCount
    lockDuration: 'PT${s.sub.lockDurationSeconds}S'
    deadLetteringOnMessageExpiration: true
    deadLetteringOnFilterEvaluationExceptions: true
  }
  dependsOn: [topics]
}]

// Data-plane roles only, on this namespace (it holds nothing but the entities above): the saga's
// publisher sends to the topic, the email trigger receives from its subscription. GUIDs checked
// against the built-in roles list (docs/architecture.md, "Role assignments").
var roles = {
  sender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39' // Azure Service Bus Data Sender
  receiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0' // Azure Service Bus Data Receiver
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in items(roles): {
  scope: namespace
  name: guid(namespace.id, principalId, role.value)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
