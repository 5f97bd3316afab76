using '../main.bicep'

param environmentName = 'prod'
param authAudience = '00000000-0000-0000-0000-000000000000' // the API app registration's client id
param paypalEnvironment = 'production'
param paypalClientId = '<live client id>'
param paypalWebhookId = '<live webhook id>'
param carrierAccountNumber = '<DHL account>'
param carrierApiKey = '<MyDHL API key>'
param maximumInstanceCount = 100
