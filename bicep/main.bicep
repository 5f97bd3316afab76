// The whole order backend in one resource group: Function App (Flex Consumption, Node 22) with
// a user-assigned identity that holds only the data roles it needs; Cosmos DB, Service Bus,
// Storage, ACS Email, Key Vault, Application Insights. Resource layouts (Cosmos containers,
// Service Bus entities) come from the JSON files the code and the embedded runtime also read,
// and test/unit/deployment-consistency.test.ts keeps the app settings in step with the code.
targetScope = 'resourceGroup'

@description('Short environment name, part of every resource name (dev, test, prod).')
@maxLength(8)
param environmentName string

param location string = resourceGroup().location

@description('Entra ID tenant that issues the customers\' and admins\' access tokens.')
param authTenantId string = subscription().tenantId

@description('Application (client) ID of the API app registration; v2 access tokens carry it as aud.')
param authAudience string

@description('sandbox or production')
@allowed(['sandbox', 'production'])
param paypalEnvironment string = 'sandbox'
param paypalClientId string
@description('The id PayPal assigned to the webhook subscription for https://<app>/api/v1/webhooks/paypal.')
param paypalWebhookId string

param carrierAccountNumber string
param carrierApiKey string
param carrierApiBaseUrl string = 'https://express.api.dhl.com/mydhlapi'
@description('The tracking page customers get, with a {trackingNumber} placeholder; empty: DHL\'s public tracking page.')
param carrierTrackingUrl string = ''
@description('The storefront\'s order page the emails link to, with an {orderId} placeholder, e.g. https://shop.example.com/account/orders/{orderId}; empty: the API\'s order URL.')
param storefrontOrderUrl string = ''

@description('Who receives the dispute alerts (opened, review, deadline, resolved); empty: the seller\'s billing address.')
param merchantAlertEmail string = ''
param paymentApprovalTimeoutSeconds int = 1800
param apiRateLimitPerSecond int = 20
param maximumInstanceCount int = 100

var suffix = uniqueString(resourceGroup().id, environmentName)
var names = {
  identity: 'id-orders-${environmentName}'
  logs: 'log-orders-${environmentName}'
  insights: 'appi-orders-${environmentName}'
  storage: take('storders${environmentName}${suffix}', 24)
  cosmos: 'cosmos-orders-${environmentName}-${suffix}'
  serviceBus: 'sb-orders-${environmentName}-${suffix}'
  vault: take('kv-orders-${environmentName}-${suffix}', 24)
  acs: 'acs-orders-${environmentName}-${suffix}'
  app: 'func-orders-${environmentName}-${suffix}'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: names.logs
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: names.insights
  location: location
  kind: 'web'
  properties: { Application_Type: 'web', WorkspaceResourceId: logs.id, DisableLocalAuth: true }
}

// Telemetry is sent with the identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: insights
  name: guid(insights.id, identity.id, 'metrics-publisher')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb') // Monitoring Metrics Publisher
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: { name: names.storage, location: location, principalId: identity.properties.principalId }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: { name: names.cosmos, location: location, principalId: identity.properties.principalId, layout: loadJsonContent('cosmos-containers.json') }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: { name: names.serviceBus, location: location, principalId: identity.properties.principalId, entities: loadJsonContent('servicebus-entities.json') }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: { name: names.vault, location: location, principalId: identity.properties.principalId }
}

module communication 'modules/communication.bicep' = {
  name: 'communication'
  params: { name: names.acs, principalId: identity.properties.principalId }
}

var publicBaseUrl = 'https://${names.app}.azurewebsites.net'
func keyVaultReference(vaultName string, secretName string) string => '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${secretName})'

module app 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: names.app
    location: location
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: insights.properties.ConnectionString
    maximumInstanceCount: maximumInstanceCount
    appSettings: {
      COSMOS_ENDPOINT: cosmos.outputs.endpoint
      COSMOS_DATABASE: cosmos.outputs.databaseName
      AUTH_ISSUER: 'https://login.microsoftonline.com/${authTenantId}/v2.0'
      AUTH_AUDIENCE: authAudience
      AUTH_JWKS_URI: 'https://login.microsoftonline.com/${authTenantId}/discovery/v2.0/keys'
      AUTH_ADMIN_ROLE: 'Orders.Admin'
      AUTH_CUSTOMER_ID_CLAIM: 'oid'
      AUTH_EMAIL_CLAIMS: 'email'
      API_RATE_LIMIT_PER_SECOND: string(apiRateLimitPerSecond)
      PUBLIC_RATE_LIMIT_PER_SECOND: '10'
      IDEMPOTENCY_RETENTION_SECONDS: '86400'
      PUBLIC_BASE_URL: publicBaseUrl
      STOREFRONT_ORDER_URL: storefrontOrderUrl
      PAYMENT_APPROVAL_TIMEOUT_SECONDS: string(paymentApprovalTimeoutSeconds)
      SAGA_RETRY_DELAY_SECONDS: '60'
      REFUND_RETRY_WINDOW_SECONDS: '259200'
      SHIPMENT_HOLD_RETRY_WINDOW_SECONDS: '604800'
      PAYPAL_ENVIRONMENT: paypalEnvironment
      PAYPAL_CLIENT_ID: paypalClientId
      PAYPAL_CLIENT_SECRET: keyVaultReference(names.vault, 'paypal-client-secret')
      PAYPAL_WEBHOOK_ID: paypalWebhookId
      PAYPAL_WEBHOOK_TOLERANCE_SECONDS: '300'
      PAYPAL_HONOR_PERIOD_SECONDS: '259200'
      CARRIER_API_BASE_URL: carrierApiBaseUrl
      CARRIER_TRACKING_URL: carrierTrackingUrl
      CARRIER_API_KEY: carrierApiKey
      CARRIER_API_SECRET: keyVaultReference(names.vault, 'carrier-api-secret')
      CARRIER_ACCOUNT_NUMBER: carrierAccountNumber
      CARRIER_WEBHOOK_SECRET: keyVaultReference(names.vault, 'carrier-webhook-secret')
      CARRIER_WEBHOOK_SECRET_PREVIOUS: keyVaultReference(names.vault, 'carrier-webhook-secret-previous')
      CARRIER_WEBHOOK_TOLERANCE_SECONDS: '300'
      ACS_EMAIL_ENDPOINT: communication.outputs.endpoint
      EMAIL_SENDER_ADDRESS: communication.outputs.senderAddress
      MERCHANT_ALERT_EMAIL: merchantAlertEmail
      DISPUTE_RESYNC_SECONDS: '21600'
      INVOICES_STORAGE_ACCOUNT_URL: storage.outputs.blobEndpoint
      ServiceBusConnection__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    }
  }
  dependsOn: [metricsPublisher]
}

output functionAppName string = app.outputs.name
output apiBaseUrl string = '${publicBaseUrl}/api'
output keyVaultName string = vault.outputs.name
output emailSenderAddress string = communication.outputs.senderAddress
