// Azure Communication Services with an Email service and an Azure-managed sender domain
// (DoNotReply@<guid>.azurecomm.net); link a custom domain later in the portal or here. The app
// sends with its managed identity: ACS accepts Entra ID tokens for identities that hold a role
// on the Communication Services resource (see the role assignment below).
param name string
param principalId string
param dataLocation string = 'Europe'

resource email 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: '${name}-email'
  location: 'global'
  properties: { dataLocation: dataLocation }
}

resource domain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: email
  name: 'AzureManagedDomain'
  location: 'global'
  properties: { domainManagement: 'AzureManaged', userEngagementTracking: 'Disabled' }
}

resource acs 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: name
  location: 'global'
  properties: { dataLocation: dataLocation, linkedDomains: [domain.id] }
}

// Least privilege that works for EmailClient + DefaultAzureCredential. ACS has no data-plane
// (dataActions) role for sending: an Entra-authenticated send is authorized by control-plane
// actions on this resource; for SMTP Microsoft names them (CommunicationServices/Read and /Write,
// EmailServices/write) and offers one built-in role holding them, "Communication and Email Service
// Owner". That role has Microsoft.Communication actions only, where Contributor allowed every
// action on the resource (diagnostic settings, tags, any other provider's). Both can list the
// access keys. A custom role with just those three actions would be narrower, but it is documented
// for SMTP only and needs roleDefinitions/write to deploy. Scoped to this one resource.
// The name seed changed with the role: assignments cannot be updated in place, so an existing
// deployment keeps its old Contributor assignment until someone deletes it.
resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: acs
  name: guid(acs.id, principalId, 'communication-email-service-owner')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '09976791-48a7-449e-bb21-39d1a415f350') // Communication and Email Service Owner
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = 'https://${acs.properties.hostName}'
output senderAddress string = 'DoNotReply@${domain.properties.mailFromSenderDomain}'
