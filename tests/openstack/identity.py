# -*- coding: utf-8 -*-
# Copyright (c) 2026 vpnaas.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Users, projects and the network endpoint of the test Keystone, created through its REST API.

After ``keystone-manage bootstrap`` (admin user and project, identity endpoints), this adds:
project ``demo`` with user ``demo`` (role ``member``), the ``neutron`` service user (role
``service`` in project ``service``: enough for keystonemiddleware to validate tokens) and the
``network`` service with a public endpoint in RegionOne at the Neutron URL (without ``/v2.0``,
as a real catalog has it). Standard library only, 127.0.0.1 only.
"""

from __future__ import annotations

from tests.openstack.topology import ApiError, call, request

DEMO_USER = 'demo'
DEMO_PROJECT = 'demo'
REGION = 'RegionOne'


def password_auth(user: str, password: str, project: str) -> dict:
    """The body of a password login scoped to ``project`` (all in domain Default)."""
    return {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': user, 'domain': {'id': 'default'}, 'password': password}}},
        'scope': {'project': {'name': project, 'domain': {'id': 'default'}}}}}


def login(keystone_url: str, user: str, password: str, project: str) -> str:
    """A project-scoped token (Keystone answers 201 with it in X-Subject-Token)."""
    return issue_token(keystone_url, password_auth(user, password, project), user)


def unscoped_login(keystone_url: str, user: str, password: str) -> str:
    """An unscoped token of ``user`` (no project, no catalog): what a v3token clouds.yaml may hold."""
    body = password_auth(user, password, 'unused')
    del body['auth']['scope']
    return issue_token(keystone_url, body, user)


def issue_token(keystone_url: str, body: dict, who: str) -> str:
    """POST ``body`` to /v3/auth/tokens; the X-Subject-Token of the 201 answer."""
    import urllib.request  # pylint: disable=import-outside-toplevel
    import json  # pylint: disable=import-outside-toplevel
    req = urllib.request.Request(keystone_url + '/v3/auth/tokens', method='POST', data=json.dumps(body).encode(),
                                 headers={'Content-Type': 'application/json'})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=60) as answer:
        if answer.status != 201:
            raise ApiError('login of %s answered %d' % (who, answer.status))
        return answer.headers['X-Subject-Token']


def application_credential(keystone_url: str, user_id: str, token: str, name: str, secret: str) -> str:
    """Create an application credential of ``user_id`` (bound to the token's project) with ``secret``; its id."""
    return call(keystone_url, 'POST', '/v3/users/%s/application_credentials' % user_id, {'application_credential': {
        'name': name, 'secret': secret, 'description': 'vpnaas.cloud test'}}, token)['application_credential']['id']


def _role_id(url: str, token: str, name: str) -> str:
    """The id of role ``name``, created if bootstrap did not make it."""
    roles = call(url, 'GET', '/v3/roles?name=%s' % name, token=token)['roles']
    if roles:
        return roles[0]['id']
    return call(url, 'POST', '/v3/roles', {'role': {'name': name}}, token)['role']['id']


def _user_in_project(url: str, token: str, user: str, password: str, project: str, role: str) -> dict:
    """Create a project (unless it exists) and a user with ``role`` in it; return both ids."""
    found = call(url, 'GET', '/v3/projects?name=%s' % project, token=token)['projects']
    project_id = found[0]['id'] if found else call(url, 'POST', '/v3/projects', {'project': {
        'name': project, 'domain_id': 'default'}}, token)['project']['id']
    user_id = call(url, 'POST', '/v3/users', {'user': {
        'name': user, 'password': password, 'domain_id': 'default', 'default_project_id': project_id}},
        token)['user']['id']
    status, answer = request(url, 'PUT', '/v3/projects/%s/users/%s/roles/%s' % (
        project_id, user_id, _role_id(url, token, role)), token=token)
    if status != 204:
        raise ApiError('role assignment answered %d: %s' % (status, answer))
    return {'project_id': project_id, 'user_id': user_id}


def set_up(keystone_url: str, admin_password: str, neutron_url: str, demo_password: str,
           service_password: str) -> dict:
    """Create the demo user and project, the neutron service user and the network endpoint; return ids and an admin token."""
    admin_token = login(keystone_url, 'admin', admin_password, 'admin')
    demo = _user_in_project(keystone_url, admin_token, DEMO_USER, demo_password, DEMO_PROJECT, 'member')
    _user_in_project(keystone_url, admin_token, 'neutron', service_password, 'service', 'service')
    service = call(keystone_url, 'POST', '/v3/services', {'service': {'name': 'neutron', 'type': 'network'}},
                   admin_token)['service']
    call(keystone_url, 'POST', '/v3/endpoints', {'endpoint': {
        'service_id': service['id'], 'interface': 'public', 'region_id': REGION, 'url': neutron_url}}, admin_token)
    return {'admin_token': admin_token, 'demo_project_id': demo['project_id'], 'demo_user_id': demo['user_id']}
