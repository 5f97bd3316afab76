// The Function App on Flex Consumption (Node 22): scales per function group to zero and out on
// HTTP and Service Bus load, with always-ready instances optional. Every connection uses the
// user-assigned identity; the secrets are Key Vault references.
param name string
param location string
param identityId string
param identityClientId string
param storageName string
param deploymentContainerUrl string
param appInsightsConnectionString string
param appSettings object
param maximumInstanceCount int = 100
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan'
  location: location
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

var identitySettings = {
  AZURE_CLIENT_ID: identityClientId
  AzureWebJobsStorage__accountName: storageName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// Read by the Functions host, not the app: bodies above 256 KiB (the largest the app accepts,
// a webhook) are refused with 413 before they are buffered.
var hostSettings = {
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '262144'
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identityId}': {} } }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: maximumInstanceCount, instanceMemoryMB: instanceMemoryMB }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [for s in items(union(appSettings, identitySettings, hostSettings)): { name: s.key, value: s.value }]
    }
  }
}

output defaultHostName string = app.properties.defaultHostName
output name string = app.name
